import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "./api";
import type { TokenSession } from "./auth/session";

afterEach(() => vi.unstubAllGlobals());

function fakeSession(token: string | null) {
  return { accessToken: vi.fn(async () => token), signOut: vi.fn(async () => undefined) };
}

describe("createApiClient", () => {
  it("sends the access token and the UI's language to /graphql", async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => Response.json({ data: { viewer: { kind: "staff" } } }));
    vi.stubGlobal("fetch", fetch);
    const session = fakeSession("token-1");
    const client = createApiClient(session as unknown as TokenSession, () => "en");
    const result = await client.query("{ viewer { kind } }", {}).toPromise();
    expect(result.data).toEqual({ viewer: { kind: "staff" } });
    const [url, init] = fetch.mock.calls[0]!;
    expect(String(url)).toBe("/graphql");
    const headers = new Headers(init?.headers);
    expect(headers.get("Authorization")).toBe("Bearer token-1");
    expect(headers.get("Accept-Language")).toBe("en");
  });

  it("drops the tokens when the API answers 401", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("{}", { status: 401 })));
    const session = fakeSession("expired");
    await createApiClient(session as unknown as TokenSession, () => "pl").query("{ viewer { kind } }", {}).toPromise();
    expect(session.signOut).toHaveBeenCalledWith({ byUser: false });
  });
});
