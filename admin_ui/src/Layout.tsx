import { useEffect, useRef, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { useSession } from "./auth/AuthProvider";
import { useI18n, type Language } from "./i18n";
import type { Screen } from "./screens";

export function Layout({ screens, displayName, children }: { screens: Screen[]; displayName: string; children: ReactNode }) {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const signOut = () => session.signOut();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const previousPath = useRef<string | null>(null);
  useEffect(() => {
    // After moving to another screen, start reading and tabbing at its content (not on the link
    // that is gone); the first screen keeps the browser's own start.
    if (previousPath.current !== null && previousPath.current !== pathname) main.current?.focus();
    previousPath.current = pathname;
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header className="topbar">
        <span className="brand">{t("appName")}</span>
        <nav aria-label={t("mainNavigation")}>
          {screens.map((screen) =>
            screen.nav ? (
              <NavLink key={screen.path} to={`/${screen.path}`}>
                {t(screen.nav)}
              </NavLink>
            ) : null,
          )}
        </nav>
        <div className="topbar-actions">
          <span>{displayName}</span>
          <label>
            {t("language")}{" "}
            <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
              <option value="pl">Polski</option>
              <option value="en">English</option>
            </select>
          </label>
          <button type="button" onClick={() => void signOut()}>
            {t("signOut")}
          </button>
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}
