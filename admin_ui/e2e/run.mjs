// Runs every e2e/*.e2e.mjs against a running Kartoteka (KARTOTEKA_E2E_BASE_URL) in headless
// Debian Chromium; one line per test, exit code 0 only when all pass.
import { mkdirSync, readdirSync } from "node:fs";
import { chromium } from "playwright-core";

const baseUrl = (process.env.KARTOTEKA_E2E_BASE_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");
const email = process.env.KARTOTEKA_E2E_EMAIL;
const password = process.env.KARTOTEKA_E2E_PASSWORD;
if (!email || !password) {
  console.error("Set KARTOTEKA_E2E_EMAIL and KARTOTEKA_E2E_PASSWORD (a staff administrator).");
  process.exit(2);
}

const dir = new URL(".", import.meta.url);
const outputDir = new URL("output/", dir).pathname;
const files = readdirSync(dir).filter((name) => name.endsWith(".e2e.mjs")).sort();
const browser = await chromium.launch({
  executablePath: process.env.KARTOTEKA_E2E_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
  headless: true,
});

let failed = 0;
let total = 0;
try {
  for (const file of files) {
    const { tests } = await import(new URL(file, dir).href);
    for (const [name, test] of tests) {
      total += 1;
      const context = await browser.newContext({ locale: "pl-PL", viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const consoleErrors = [];
      // Failed loads are recorded from the responses (with their URL); Chromium's own favicon
      // request on the platform's login page shows up only as a bare console message.
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) consoleErrors.push(message.text());
      });
      page.on("response", (response) => response.status() >= 400 && consoleErrors.push(`HTTP ${response.status()} ${response.url()}`));
      page.on("pageerror", (error) => consoleErrors.push(String(error)));
      const started = Date.now();
      try {
        await test({ page, context, baseUrl, email, password, log: (line) => console.log(`    ${line}`) });
        if (consoleErrors.length) throw new Error(`browser console errors: ${consoleErrors.join(" | ")}`);
        console.log(`ok   ${file} › ${name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed += 1;
        mkdirSync(outputDir, { recursive: true });
        const shot = `${outputDir}${file.replace(/\W+/g, "-")}${total}.png`;
        await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
        console.log(`     at ${page.url()}; screenshot ${shot}`);
        console.log(`FAIL ${file} › ${name} (${Date.now() - started} ms): ${error?.stack ?? error}`);
      } finally {
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`${total - failed} passed, ${failed} failed`);
process.exit(failed || total === 0 ? 1 : 0);
