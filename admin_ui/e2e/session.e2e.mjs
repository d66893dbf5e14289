import { expect, signIn } from "./helpers.mjs";

export const tests = [
  [
    "refreshes the access token with the rotated refresh token before it expires",
    async ({ page, context, ...env }) => {
      // The browser's clock moves on; the server's does not, so the rotated tokens stay valid.
      await context.clock.install();
      const tokenRequests = [];
      page.on("request", (request) => {
        if (request.url().endsWith("/oauth/token")) tokenRequests.push(new URLSearchParams(request.postData() ?? ""));
      });
      await signIn(page, env);
      await page.getByTestId("company-row").first().waitFor();
      expect(tokenRequests.map((form) => form.get("grant_type")).join() === "authorization_code", "one code exchange");

      for (const round of [1, 2]) {
        await context.clock.fastForward("04:30");
        const answer = page.waitForResponse((response) => response.url().endsWith("/graphql"));
        await page.getByRole("button", { name: "Pokaż więcej" }).click();
        expect((await answer).status() === 200, `GraphQL answers after refresh ${round}`);
        await page.getByTestId("company-row").nth(50 * round).waitFor();
      }
      const refreshes = tokenRequests.filter((form) => form.get("grant_type") === "refresh_token");
      expect(refreshes.length === 2, `two refreshes, got ${refreshes.length}`);
      expect(refreshes[0].get("refresh_token") !== refreshes[1].get("refresh_token"), "each refresh spends a new token");
    },
  ],
];
