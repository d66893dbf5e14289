import { describe, expect, it } from "vitest";
import { formatDateTime, formatMoney, formatPhone } from "./format";

describe("Polish formats", () => {
  it("groups a Polish phone number", () => {
    expect(formatPhone("+48601234567")).toBe("+48\u00a0601\u00a0234\u00a0567");
    expect(formatPhone("+4930123456")).toBe("+4930123456");
  });

  it("writes money in złoty with a comma", () => {
    expect(formatMoney("1234.5", "pl").replace(/\s/g, " ")).toBe("1234,50 zł");
  });

  it("writes dates in Warsaw time", () => {
    expect(formatDateTime("2026-03-01T11:05:00Z", "pl")).toBe("1 mar 2026, 12:05");
  });
});
