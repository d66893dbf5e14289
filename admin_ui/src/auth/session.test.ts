import { describe, expect, it } from "vitest";
import { codeChallenge, randomToken } from "./pkce";
import { CLIENT_ID, REFRESH_MARGIN_MS, TokenSession } from "./session";

describe("pkce", () => {
  it("computes the S256 challenge of RFC 7636 appendix B", async () => {
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes URL-safe verifiers of 43 characters", () => {
    const verifier = randomToken(32);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(32)).not.toBe(verifier);
  });
});

const ORIGIN = "http://kartoteka.test";
const DISCOVERY = {
  issuer: ORIGIN,
  authorization_endpoint: `${ORIGIN}/oauth/authorize`,
  token_endpoint: `${ORIGIN}/oauth/token`,
  revocation_endpoint: `${ORIGIN}/oauth/revoke`,
};

function fakeServer() {
  const requests: { url: string; form: URLSearchParams }[] = [];
  let issued = 0;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith("/.well-known/openid-configuration")) return Response.json(DISCOVERY);
    const form = new URLSearchParams(String(init?.body ?? ""));
    requests.push({ url, form });
    if (url === DISCOVERY.token_endpoint) {
      issued += 1;
      return Response.json({ access_token: `access-${issued}`, refresh_token: `refresh-${issued}`, expires_in: 300 });
    }
    return new Response(null, { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

async function signedIn() {
  const server = fakeServer();
  let now = 1_000_000;
  const session = new TokenSession({ fetch: server.fetch, storage: memoryStorage(), now: () => now, origin: ORIGIN });
  const authorize = new URL(await session.authorizationUrl("/admin/companies"));
  const state = authorize.searchParams.get("state")!;
  const returnTo = await session.completeSignIn(`${ORIGIN}/admin/callback?code=abc&state=${state}&iss=${ORIGIN}`);
  return { session, server, authorize, returnTo, advance: (ms: number) => (now += ms) };
}

describe("TokenSession", () => {
  it("sends a PKCE authorization request and exchanges the code with the verifier", async () => {
    const { session, server, authorize, returnTo } = await signedIn();
    expect(authorize.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/admin/callback`);
    const exchange = server.requests[0]!.form;
    expect(exchange.get("grant_type")).toBe("authorization_code");
    expect(await codeChallenge(exchange.get("code_verifier")!)).toBe(authorize.searchParams.get("code_challenge"));
    expect(returnTo).toBe("/admin/companies");
    expect(await session.accessToken()).toBe("access-1");
  });

  it("refuses a callback whose state does not match", async () => {
    const session = new TokenSession({ fetch: fakeServer().fetch, storage: memoryStorage(), now: () => 0, origin: ORIGIN });
    await session.authorizationUrl("/admin/");
    await expect(session.completeSignIn(`${ORIGIN}/admin/callback?code=abc&state=forged`)).rejects.toThrow("state");
    expect(session.signedIn).toBe(false);
  });

  it("refreshes before expiry with the rotated refresh token, once for concurrent callers", async () => {
    const { session, server, advance } = await signedIn();
    advance(300_000 - REFRESH_MARGIN_MS + 1);
    const [first, second] = await Promise.all([session.accessToken(), session.accessToken()]);
    expect([first, second]).toEqual(["access-2", "access-2"]);
    expect(server.requests.filter((r) => r.form.get("grant_type") === "refresh_token")).toHaveLength(1);
    advance(300_000);
    expect(await session.accessToken()).toBe("access-3");
    const refreshes = server.requests.filter((r) => r.form.get("grant_type") === "refresh_token");
    expect(refreshes.map((r) => r.form.get("refresh_token"))).toEqual(["refresh-1", "refresh-2"]);
  });

  it("keeps the token while it is fresh", async () => {
    const { session, server, advance } = await signedIn();
    advance(60_000);
    expect(await session.accessToken()).toBe("access-1");
    expect(server.requests).toHaveLength(1);
  });

  it("signs out by forgetting the tokens and revoking the refresh token", async () => {
    const { session, server } = await signedIn();
    await session.signOut();
    expect(session.signedIn).toBe(false);
    expect(await session.accessToken()).toBeNull();
    const revoke = server.requests.at(-1)!;
    expect(revoke.url).toBe(DISCOVERY.revocation_endpoint);
    expect(revoke.form.get("token")).toBe("refresh-1");
  });
});
