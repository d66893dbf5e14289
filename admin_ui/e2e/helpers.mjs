import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const screenshotDir = new URL("../../docs/admin-ui/", import.meta.url).pathname;

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Open `path` of the admin app and sign in on the platform's login page when asked to. */
export async function signIn(page, { baseUrl, email, password }, path = "/admin/companies") {
  await page.goto(`${baseUrl}${path}`);
  // Either the platform's login page (no session yet) or the app itself (a session cookie).
  await page.locator("#email, nav").first().waitFor();
  if (new URL(page.url()).pathname.startsWith("/oauth/")) {
    await page.locator("#email").fill(email);
    await page.locator("#password").fill(password);
    await page.locator("button[type=submit]").click();
  }
  await page.getByRole("navigation").waitFor();
}

/** Fails on serious or critical axe-core violations in the current page. */
export async function checkAccessibility(page, label) {
  // CSP forbids inline scripts, so axe goes in through the DevTools protocol, not a <script>.
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations.filter((violation) => ["serious", "critical"].includes(violation.impact));
  expect(
    bad.length === 0,
    `${label}: accessibility violations: ${bad
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)
      .join("; ")}`,
  );
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  if (process.env.KARTOTEKA_E2E_SCREENSHOTS !== "1") return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage });
}

/** Waits until the list has settled on rows that all contain `text` (the old rows stay while loading). */
export async function waitForRowsContaining(page, testId, text) {
  await page.waitForFunction(
    ([testId, text]) => {
      const table = document.querySelector("table[aria-busy]");
      const rows = [...document.querySelectorAll(`[data-testid="${testId}"]`)];
      return (
        table?.getAttribute("aria-busy") === "false" &&
        rows.length > 0 &&
        rows.every((row) => row.textContent.toLowerCase().includes(text.toLowerCase()))
      );
    },
    [testId, text],
  );
}
