import { Client, cacheExchange, fetchExchange } from "urql";
import type { TokenSession } from "./auth/session";

/** The public GraphQL API, with the access token (refreshed when due) and the UI's language. */
export function createApiClient(session: TokenSession, language: () => string): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, fetchExchange],
    preferGetMethod: false,
    fetch: async (input, init) => {
      const token = await session.accessToken();
      const headers = new Headers(init?.headers);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      headers.set("Accept-Language", language());
      const response = await globalThis.fetch(input, { ...init, headers });
      // An expired or revoked grant: drop the tokens so the app signs in again.
      if (response.status === 401) await session.signOut({ byUser: false });
      return response;
    },
  });
}
