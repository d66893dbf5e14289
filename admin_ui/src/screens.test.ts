import { describe, expect, it } from "vitest";
import { visibleScreens, type Screen } from "./screens";

const screen = (path: string, permission: string): Screen => ({ path, permission, element: null as never });

describe("visibleScreens", () => {
  it("keeps only the screens whose permission the viewer holds", () => {
    const screens = [screen("companies", "core.company.read"), screen("pipeline", "sales.opportunity.read")];
    expect(visibleScreens(screens, ["core.company.read"]).map((s) => s.path)).toEqual(["companies"]);
    expect(visibleScreens(screens, [])).toEqual([]);
  });
});
