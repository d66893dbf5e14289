import { codeChallenge, randomToken } from "./pkce";

// Sign-in as a public OAuth client: authorization code + PKCE. Tokens live in memory only; the
// verifier and state survive the redirect in sessionStorage and are removed at the callback.

export const CLIENT_ID = "kartoteka-admin";
export const SCOPES = "openid profile email api";
/** Refresh this long before the access token expires, so a request never carries a stale one. */
export const REFRESH_MARGIN_MS = 60_000;
const PENDING_KEY = "kartoteka.admin.pending-sign-in";

export interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  issuer: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

export class SignInError extends Error {}

export interface SessionDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  now: () => number;
  origin: string;
}

export class TokenSession {
  private tokens: Tokens | null = null;
  private discovery: Discovery | null = null;
  private refreshing: Promise<Tokens | null> | null = null;
  private listeners = new Set<() => void>();
  /** True after the user signed out, so the app shows "signed out" instead of signing in again. */
  endedByUser = false;

  constructor(private deps: SessionDeps) {}

  get redirectUri(): string {
    return `${this.deps.origin}/admin/callback`;
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(tokens: Tokens | null): void {
    this.tokens = tokens;
    for (const listener of this.listeners) listener();
  }

  async config(): Promise<Discovery> {
    if (!this.discovery) {
      const response = await this.deps.fetch(`${this.deps.origin}/.well-known/openid-configuration`);
      if (!response.ok) throw new SignInError(`discovery: HTTP ${response.status}`);
      this.discovery = (await response.json()) as Discovery;
    }
    return this.discovery;
  }

  /** The authorization URL to send the browser to; remembers the verifier for the callback. */
  async authorizationUrl(returnTo: string): Promise<string> {
    this.endedByUser = false;
    const discovery = await this.config();
    const pending: PendingSignIn = { state: randomToken(16), verifier: randomToken(32), returnTo };
    this.deps.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: this.redirectUri,
      scope: SCOPES,
      state: pending.state,
      code_challenge: await codeChallenge(pending.verifier),
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  /** Finish the redirect: checks state, exchanges the code; returns where the user was going. */
  async completeSignIn(callbackUrl: string): Promise<string> {
    const params = new URL(callbackUrl).searchParams;
    const raw = this.deps.storage.getItem(PENDING_KEY);
    this.deps.storage.removeItem(PENDING_KEY);
    if (params.get("error")) throw new SignInError(params.get("error_description") ?? params.get("error") ?? "");
    if (!raw) throw new SignInError("no sign-in in progress");
    const pending = JSON.parse(raw) as PendingSignIn;
    const code = params.get("code");
    if (!code || params.get("state") !== pending.state) throw new SignInError("state mismatch");
    const discovery = await this.config();
    const iss = params.get("iss");
    if (iss && iss !== discovery.issuer) throw new SignInError("issuer mismatch");
    await this.tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    return pending.returnTo;
  }

  private async tokenRequest(form: Record<string, string>): Promise<Tokens> {
    const discovery = await this.config();
    const response = await this.deps.fetch(discovery.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form, client_id: CLIENT_ID }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== "string") {
      throw new SignInError(String(body.error_description ?? body.error ?? `HTTP ${response.status}`));
    }
    const tokens: Tokens = {
      accessToken: body.access_token,
      // Rotation: every refresh returns a new refresh token; the old one is spent.
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
      expiresAt: this.deps.now() + Number(body.expires_in ?? 300) * 1000,
    };
    this.set(tokens);
    return tokens;
  }

  /** A valid access token, refreshed first when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const tokens = this.tokens;
    if (!tokens) return null;
    if (tokens.expiresAt - this.deps.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** One refresh at a time: concurrent callers share it (a second use of a rotated token would revoke the grant). */
  refresh(): Promise<Tokens | null> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<Tokens | null> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) {
      this.set(null);
      return null;
    }
    try {
      return await this.tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
    } catch {
      this.set(null);
      return null;
    }
  }

  /** Forget the tokens and revoke the refresh token (which ends the grant). */
  async signOut({ byUser = true } = {}): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.endedByUser = byUser;
    this.set(null);
    const discovery = this.discovery;
    if (refreshToken && discovery?.revocation_endpoint) {
      await this.deps
        .fetch(discovery.revocation_endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            token: refreshToken,
            token_type_hint: "refresh_token",
            client_id: CLIENT_ID,
          }).toString(),
        })
        .catch(() => undefined);
    }
  }
}
