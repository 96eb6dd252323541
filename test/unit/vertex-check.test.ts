import { describe, expect, it } from "vitest";
import { evaluate, type Measurements } from "../../orchestrator/check/vertex";

const columns = ["entity_id STRING", "mentioned_at TIMESTAMP", "risk_score FLOAT64"].map((c) => ({ name: c.split(" ")[0], type: c.split(" ")[1] }));
const data = { rows: 1000, series: 10, maxTimeSteps: 100, seriesOverLimit: 0, nullTargets: 0, nullTimes: 0, nullSeriesIds: 0, duplicateSteps: 0 };
const base: Measurements = { table: "p.d.t", exists: true, columns, data };
const status = (m: Measurements) => Object.fromEntries(evaluate(m).requirements.map((r) => [r.requirement, r.status]));

describe("Vertex AI requirements", () => {
  it("pass at the limits: 3 columns, 1,000 rows, 3,000 steps", () => {
    const report = evaluate({ ...base, data: { ...data, maxTimeSteps: 3000 } });
    expect(report.passed).toBe(true);
    expect(report.requirements.every((r) => r.status === "pass")).toBe(true);
  });

  it("warn, not fail, on too few or too many rows", () => {
    for (const rows of [999, 100_000_001]) {
      const report = evaluate({ ...base, data: { ...data, rows } });
      expect(report.passed).toBe(true);
      expect(status({ ...base, data: { ...data, rows } })["1,000 to 100,000,000 rows"]).toBe("warn");
    }
  });

  it("fail on 2 or 101 columns, bad names, a non-numeric target and over-long series", () => {
    expect(status({ ...base, columns: columns.slice(0, 2) })["3 to 100 columns"]).toBe("fail");
    const many = [...columns, ...Array.from({ length: 98 }, (_, i) => ({ name: `f${i}`, type: "FLOAT64" }))];
    expect(status({ ...base, columns: many })["3 to 100 columns"]).toBe("fail");
    const bad = evaluate({ ...base, columns: [...columns, { name: "_x", type: "INT64" }, { name: "a-b", type: "INT64" }] });
    expect(bad.requirements.find((r) => r.requirement.startsWith("column names"))).toMatchObject({ status: "fail", measured: "_x, a-b" });
    expect(status({ ...base, columns: [columns[0], columns[1], { name: "risk_score", type: "STRING" }] })["target risk_score is numeric"]).toBe("fail");
    const long = evaluate({ ...base, data: { ...data, maxTimeSteps: 3001, seriesOverLimit: 2 } });
    expect(long.passed).toBe(false);
    expect(long.requirements.find((r) => r.requirement.startsWith("at most"))?.measured).toBe("max 3001; 2 series over");
  });

  it("fails a missing table with advice and measures nothing else", () => {
    const report = evaluate({ table: "p.d.t", exists: false, columns: [] });
    expect(report).toEqual({
      table: "p.d.t",
      passed: false,
      requirements: [{ requirement: "table exists", level: "hard", status: "fail", measured: "p.d.t not found; run `vwatch run --tags vertex`" }],
    });
  });
});
