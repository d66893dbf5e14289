import { describe, expect, it } from "vitest";
import { initialLanguage, translate } from "./index";
import { en, pl } from "./messages";

describe("i18n", () => {
  it("prefers the stored choice, then the browser, then Polish", () => {
    expect(initialLanguage("en", ["pl-PL"])).toBe("en");
    expect(initialLanguage(null, ["de-DE", "en-GB"])).toBe("en");
    expect(initialLanguage(null, ["de-DE"])).toBe("pl");
  });

  it("fills parameters", () => {
    expect(translate("pl", "shownCount", { count: 3 })).toBe("Pokazano: 3");
  });

  it("has every key in both languages", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(pl).sort());
  });
});
