import { checkAccessibility, expect, screenshot, signIn, waitForRowsContaining } from "./helpers.mjs";

export const tests = [
  [
    "the persons list searches by name and links to the employer's card",
    async ({ page, ...env }) => {
      await signIn(page, env, "/admin/persons");
      const rows = page.getByTestId("person-row");
      await rows.first().waitFor();
      await checkAccessibility(page, "persons list");
      await screenshot(page, "persons");
      const name = (await rows.first().locator("td").first().innerText()).trim();
      const lastName = name.split(/\s+/).at(-1);
      await page.getByLabel("Szukaj po nazwie").fill(lastName);
      await page.getByRole("button", { name: "Szukaj" }).click();
      await page.waitForURL(/q=/);
      await waitForRowsContaining(page, "person-row", lastName);
      await page.getByRole("cell", { name, exact: true }).first().waitFor();
      const company = rows.first().getByRole("link");
      expect((await company.count()) > 0, `${name} works at a company`);
      {
        const companyName = (await company.innerText()).trim();
        await company.click();
        await page.getByRole("heading", { level: 1, name: companyName }).waitFor();
        // The new screen takes the focus, so keyboard and screen-reader users start at its content.
        await page.waitForFunction(() => document.activeElement?.id === "main");
      }
    },
  ],
];
