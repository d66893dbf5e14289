import { describe, expect, it } from "vitest";
import { errorsByField } from "./userErrors";

describe("errorsByField", () => {
  it("puts each message on its field and the rest on the form", () => {
    expect(
      errorsByField([
        { field: ["input", "body"], code: "REQUIRED", message: "Required." },
        { field: [], code: "FORBIDDEN", message: "Not allowed." },
      ]),
    ).toEqual({ body: "Required.", "": "Not allowed." });
  });
});
