import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { type BackfillKey, doneDays, forget, ledgerFile, recordDay } from "../../orchestrator/backfill/ledger";
import { backfillDays } from "../../orchestrator/backfill/range";

const home = () => fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-ledger-"));
const KEY: BackfillKey = { warehouse: "duckdb", project: "p", from: "2024-01-01", to: "2024-01-03", actions: ["p.a.b", "p.a.a"], vars: { z_threshold: "2" } };

describe("the backfill ledger", () => {
  it("holds the days recorded for one backfill; the same actions in another order are the same backfill", () => {
    const h = home();
    recordDay(h, KEY, "2024-01-02");
    recordDay(h, KEY, "2024-01-01");
    recordDay(h, KEY, "2024-01-01");
    expect([...doneDays(h, { ...KEY, actions: ["p.a.a", "p.a.b"] })]).toEqual(["2024-01-01", "2024-01-02"]);
    expect(fs.readdirSync(h)).toEqual(["backfills.json"]);
  });

  it("another range, warehouse, selection or var is another backfill, with no days done", () => {
    const h = home();
    recordDay(h, KEY, "2024-01-01");
    for (const other of [{ to: "2024-01-04" }, { warehouse: "bigquery" }, { actions: ["p.a.a"] }, { vars: { z_threshold: "2.5" } }]) {
      expect(doneDays(h, { ...KEY, ...other }).size).toBe(0);
    }
  });

  it("--restart forgets only that backfill", () => {
    const h = home();
    recordDay(h, KEY, "2024-01-01");
    recordDay(h, { ...KEY, to: "2024-01-05" }, "2024-01-01");
    forget(h, KEY);
    expect(doneDays(h, KEY).size).toBe(0);
    expect([...doneDays(h, { ...KEY, to: "2024-01-05" })]).toEqual(["2024-01-01"]);
  });

  it("a file that is not a ledger is an input error naming it and the way out", () => {
    const h = home();
    fs.writeFileSync(ledgerFile(h), "{ torn");
    expect(() => doneDays(h, KEY)).toThrow(new RegExp(`^${ledgerFile(h).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not a vwatch backfill ledger \\(.*\\); delete it \\(its backfills then start over\\) or pass --restart$`));
  });
});

describe("the days of a range", () => {
  it("every day from --from to --to, both included, across a month and a leap day", () => {
    expect(backfillDays("2024-02-28", "2024-03-01")).toEqual(["2024-02-28", "2024-02-29", "2024-03-01"]);
    expect(backfillDays("2024-03-01", "2024-03-01")).toEqual(["2024-03-01"]);
    expect(backfillDays("2014-03-03", "2024-02-28")).toHaveLength(3650);
    expect(() => backfillDays("2014-03-02", "2024-02-28")).toThrow("is 3651 days, more than a backfill takes (3650)");
  });
});
