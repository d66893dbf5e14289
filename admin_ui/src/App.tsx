import { useEffect, useMemo, useRef, useState } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { Provider as UrqlProvider, useQuery } from "urql";
import { createApiClient } from "./api";
import { AuthProvider, createBrowserSession, useSession, useSignedIn } from "./auth/AuthProvider";
import { ErrorBoundary } from "./ErrorBoundary";
import { I18nProvider, useI18n } from "./i18n";
import { Layout } from "./Layout";
import { allScreens } from "./plugins";
import { visibleScreens } from "./screens";
import { graphql } from "./gql";

export function App() {
  const session = useMemo(createBrowserSession, []);
  return (
    <I18nProvider>
      <AuthProvider session={session}>
        <BrowserRouter basename="/admin">
          <AppRoutes />
        </BrowserRouter>
      </AuthProvider>
    </I18nProvider>
  );
}

function AppRoutes() {
  const { t } = useI18n();
  const location = useLocation();
  return (
    <ErrorBoundary
      resetKey={location.pathname}
      fallback={(error, reset) => (
        <main className="page" id="main">
          <h1>{t("errorTitle")}</h1>
          <p>{error.message}</p>
          <button type="button" onClick={reset}>
            {t("errorRetry")}
          </button>
        </main>
      )}
    >
      <Routes>
        <Route path="/callback" element={<Callback />} />
        <Route path="/signed-out" element={<SignedOut />} />
        <Route path="*" element={<SignedInApp />} />
      </Routes>
    </ErrorBoundary>
  );
}

/** Everything behind sign-in; without tokens it starts the authorization redirect. */
function SignedInApp() {
  const session = useSession();
  const signedIn = useSignedIn();
  const { t, language } = useI18n();
  const languageRef = useRef(language);
  languageRef.current = language;
  const client = useMemo(() => createApiClient(session, () => languageRef.current), [session]);
  const location = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    if (signedIn) return;
    if (session.endedByUser) {
      navigate("/signed-out", { replace: true });
      return;
    }
    const returnTo = `/admin${location.pathname}${location.search}`;
    void session.authorizationUrl(returnTo).then((url) => window.location.assign(url));
  }, [signedIn, session, navigate, location.pathname, location.search]);

  if (!signedIn) return <p className="page">{t("signingIn")}</p>;
  return (
    <UrqlProvider value={client}>
      <Screens />
    </UrqlProvider>
  );
}

const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      displayName
      permissions
    }
  }
`);

/** The screens this viewer may use, in the navigation and as routes. */
function Screens() {
  const { t } = useI18n();
  const [{ data, error }] = useQuery({ query: ViewerDocument });
  if (error) throw new Error(error.message);
  if (!data) return <p className="page">{t("loading")}</p>;
  const screens = visibleScreens(allScreens, data.viewer.permissions);
  const home = screens.find((screen) => screen.nav);
  return (
    <Layout screens={screens} displayName={data.viewer.displayName}>
      <Routes>
        <Route index element={home ? <Navigate to={`/${home.path}`} replace /> : <h1>{t("nothingToShow")}</h1>} />
        {screens.map((screen) => (
          <Route key={screen.path} path={`/${screen.path}`} element={screen.element} />
        ))}
        <Route path="*" element={<h1>{t("notFound")}</h1>} />
      </Routes>
    </Layout>
  );
}

function Callback() {
  const session = useSession();
  const navigate = useNavigate();
  const { t } = useI18n();
  const [failure, setFailure] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    // The code is single-use: StrictMode's second effect run must not spend it again.
    if (started.current) return;
    started.current = true;
    session
      .completeSignIn(window.location.href)
      .then((returnTo) => navigate(returnTo.replace(/^\/admin/, "") || "/", { replace: true }))
      .catch((error: Error) => setFailure(error.message));
  }, [session, navigate]);
  return (
    <main className="page" id="main">
      <h1>{t("signInTitle")}</h1>
      {failure ? <p role="alert">{t("signInFailed", { reason: failure })}</p> : <p>{t("signingIn")}</p>}
      {failure ? <a href="/admin/">{t("signIn")}</a> : null}
    </main>
  );
}

function SignedOut() {
  const { t } = useI18n();
  return (
    <main className="page" id="main">
      <h1>{t("signedOutTitle")}</h1>
      <p>{t("signedOutText")}</p>
      <p>
        <a href="/admin/">{t("signIn")}</a>
      </p>
      <p>
        <a href="/oauth/account">{t("endServerSession")}</a>
      </p>
    </main>
  );
}
