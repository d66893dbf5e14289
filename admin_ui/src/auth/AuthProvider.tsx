import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import { TokenSession } from "./session";

const AuthContext = createContext<TokenSession | null>(null);

export function createBrowserSession(): TokenSession {
  return new TokenSession({
    fetch: (...args) => window.fetch(...args),
    storage: window.sessionStorage,
    now: () => Date.now(),
    origin: window.location.origin,
  });
}

export function AuthProvider({ session, children }: { session: TokenSession; children: ReactNode }) {
  return <AuthContext.Provider value={session}>{children}</AuthContext.Provider>;
}

export function useSession(): TokenSession {
  const session = useContext(AuthContext);
  if (!session) throw new Error("useSession outside AuthProvider");
  return session;
}

export function useSignedIn(): boolean {
  const session = useSession();
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.signedIn,
  );
}
