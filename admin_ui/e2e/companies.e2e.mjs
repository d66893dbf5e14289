import { checkAccessibility, expect, screenshot, signIn, waitForRowsContaining } from "./helpers.mjs";

const rows = (page) => page.getByTestId("company-row");

export const tests = [
  [
    "sign in and see the first screen of the client list fast",
    async ({ page, log, ...env }) => {
      await signIn(page, env);
      await rows(page).first().waitFor();
      // Measured from a fresh navigation (the sign-in session is reused): navigation → first rows.
      const started = Date.now();
      await page.goto(`${env.baseUrl}/admin/companies`);
      await rows(page).first().waitFor();
      const elapsed = Date.now() - started;
      log(`first screen of the client list: ${elapsed} ms`);
      const budget = Number(process.env.KARTOTEKA_E2E_FIRST_SCREEN_BUDGET_MS ?? 1000);
      expect(elapsed < budget, `first screen within ${budget} ms`);
      expect((await rows(page).count()) === 50, "a page of 50 companies");
      await checkAccessibility(page, "client list");
      await screenshot(page, "companies");
    },
  ],
  [
    "search a company, open its card, add a note and see it on the timeline",
    async ({ page, ...env }) => {
      await signIn(page, env);
      await rows(page).first().waitFor();
      const name = (await rows(page).nth(3).locator("td").first().innerText()).trim();
      const word = name.split(/\s+/).find((part) => part.length > 3) ?? name;
      await page.getByLabel("Szukaj po nazwie").fill(word);
      await page.getByRole("button", { name: "Szukaj" }).click();
      await page.waitForURL(/q=/);
      await waitForRowsContaining(page, "company-row", word);
      await page.getByRole("link", { name, exact: true }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();
      await page.getByRole("heading", { name: "Historia kontaktów" }).waitFor();
      await checkAccessibility(page, "company card");

      // A userError lands on its field, and what was typed stays.
      const text = `Notatka z testu e2e ${Date.now()}`;
      await page.getByLabel("Tytuł").fill("Rozmowa o ofercie");
      await page.getByLabel("Treść").fill(text);
      await page.getByLabel("Czas (minuty)").fill("-5");
      await page.getByRole("button", { name: "Zapisz" }).click();
      const minutes = page.getByLabel("Czas (minuty)");
      await page.locator("[aria-invalid=true]").waitFor();
      expect((await minutes.getAttribute("aria-invalid")) === "true", "the minutes field is marked invalid");
      expect((await page.getByLabel("Treść").inputValue()) === text, "the typed text stays after an error");
      await checkAccessibility(page, "note form with an error");
      await page.getByLabel("Czas (minuty)").scrollIntoViewIfNeeded();
      await screenshot(page, "note-error", { fullPage: false });

      await minutes.fill("15");
      await page.getByRole("button", { name: "Zapisz" }).click();
      await page.getByTestId("timeline").getByText(text).waitFor();
      expect((await page.getByLabel("Treść").inputValue()) === "", "the form is cleared after saving");
      await screenshot(page, "company-card");

      // Only notes, on the server's side of the filter.
      await page.getByLabel("Rodzaj wpisu").selectOption("core.note");
      await page.getByTestId("timeline").getByText(text).waitFor();
      await page.waitForFunction(() => {
        const kinds = [...document.querySelectorAll("[data-testid=timeline] .kind")].map((node) => node.textContent);
        return kinds.length > 0 && kinds.every((kind) => kind === "Notatka");
      });
      const kinds = await page.getByTestId("timeline").locator(".kind").allInnerTexts();
      expect(kinds.length > 0 && kinds.every((kind) => kind === "Notatka"), `only notes: ${kinds.join(", ")}`);
    },
  ],
  [
    "keyboard: the skip link comes first and moves focus to the content",
    async ({ page, ...env }) => {
      await signIn(page, env);
      await rows(page).first().waitFor();
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => document.activeElement?.textContent);
      expect(first === "Przejdź do treści", `the first Tab stop is the skip link, got "${first}"`);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.activeElement?.id === "main");
      await page.keyboard.press("Tab");
      const next = await page.evaluate(() => document.activeElement?.getAttribute("name"));
      expect(next === "q", `then the search field, got "${next}"`);
    },
  ],
  [
    "load the next page with the cursor, sort Z to A, switch to English, sign out",
    async ({ page, ...env }) => {
      await signIn(page, env);
      await rows(page).first().waitFor();
      const firstPage = await rows(page).allInnerTexts();
      await page.getByRole("button", { name: "Pokaż więcej" }).click();
      await rows(page).nth(50).waitFor();
      const both = await rows(page).allInnerTexts();
      expect(both.length === 100, "two pages of 50");
      expect(new Set(both).size === 100 && both.slice(0, 50).join() === firstPage.join(), "the second page follows");

      // The API sorts (Polish collation); Z to A starts after where A to Z's first page ends.
      const nameOf = async (index) => (await rows(page).nth(index).locator("td").first().innerText()).trim();
      const lastOfFirstPage = await nameOf(49);
      await page.getByLabel("Kolejność").selectOption("name-desc");
      await page.waitForURL(/sort=name-desc/);
      await page.waitForFunction((name) => {
        const first = document.querySelector("[data-testid=company-row] td")?.textContent ?? "";
        return document.querySelector("table[aria-busy]")?.getAttribute("aria-busy") === "false" && first.localeCompare(name, "pl") > 0;
      }, lastOfFirstPage);
      const descending = await rows(page).locator("td:first-child").allInnerTexts();
      expect(
        descending.every((name, i) => i === 0 || descending[i - 1].localeCompare(name, "pl") >= 0),
        "Z to A order",
      );

      await page.getByLabel("Język").selectOption("en");
      await page.getByRole("heading", { name: "Companies" }).waitFor();
      expect((await page.locator("html").getAttribute("lang")) === "en", "the page language follows");
      // The choice survives a reload (which signs in again silently: tokens live in memory only).
      await page.reload();
      await page.getByRole("heading", { name: "Companies" }).waitFor();
      await rows(page).first().waitFor();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Signed out" }).waitFor();
      expect(new URL(page.url()).pathname === "/admin/signed-out", "lands on the signed-out page");
    },
  ],
];
