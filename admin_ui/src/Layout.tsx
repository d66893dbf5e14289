import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { useSession } from "./auth/AuthProvider";
import { useI18n, type Language } from "./i18n";
import type { Screen } from "./screens";

export function Layout({ screens, displayName, children }: { screens: Screen[]; displayName: string; children: ReactNode }) {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const signOut = () => session.signOut();
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
      <main className="page" id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
