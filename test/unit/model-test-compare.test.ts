import { describe, expect, it } from "vitest";
import { compareRows, same } from "../../orchestrator/modeltest/compare";

// How `vwatch test` matches expected rows with a model's output (orchestrator/modeltest/compare.ts).

describe("model test row comparison", () => {
  it("matches numbers within the tolerance, relative above 1, absolute below", () => {
    expect(same(1000.0000001, 1000, 1e-9)).toBe(true); // 1e-7 <= 1e-9 * 1000
    expect(same(1000.000002, 1000, 1e-9)).toBe(false); // 2e-6 > 1e-6
    expect(same(0.1 + 0.2, 0.3, 1e-9)).toBe(true);
    expect(same(0.3000001, 0.3, 1e-9)).toBe(false);
    expect(same(0.3000001, 0.3, 1e-6)).toBe(true);
    expect(same(null, 0, 1)).toBe(false);
    expect(same(null, null, 0)).toBe(true);
    expect(same("2024-01-08", "2024-01-08", 0)).toBe(true);
  });

  it("ignores order and unlisted columns, and reports a row once as different, missing or unexpected", () => {
    const actual = [
      { id: 1, day: "2024-01-01", n: 3, extra: "x" },
      { id: 2, day: "2024-01-01", n: 5, extra: "y" },
      { id: 3, day: "2024-01-02", n: 7, extra: "z" },
    ];
    expect(compareRows(actual, [{ line: 4, values: { id: 3, n: 7 } }, { line: 5, values: { id: 1 } }, { line: 6, values: { id: 2, day: "2024-01-01" } }], 1e-9, "t.yaml")).toEqual([]);
    expect(compareRows(actual, [{ line: 4, values: { id: 1, n: 3 } }, { line: 5, values: { id: 2, day: "2024-01-01", n: 6 } }, { line: 6, values: { id: 9, n: 1 } }], 1e-9, "t.yaml")).toEqual([
      "different row (t.yaml:5): {id: 2, day: 2024-01-01}",
      "    n: expected 6, got 5",
      "missing row (t.yaml:6): {id: 9, n: 1}",
      "unexpected row: {id: 3, n: 7, day: 2024-01-02}",
    ]);
  });

  it("two equal expected rows need two equal output rows", () => {
    const row = { id: 1 };
    expect(compareRows([row], [{ line: 1, values: row }, { line: 2, values: row }], 0, "t.yaml")).toEqual(["missing row (t.yaml:2): {id: 1}"]);
    expect(compareRows([row, row], [{ line: 1, values: row }], 0, "t.yaml")).toEqual(["unexpected row: {id: 1}"]);
  });
});
