import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WarehouseError } from "../../orchestrator/errors";
import { openDuckdb, translationsFile, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-duckdb-"));
const file = path.join(dir, "nested", "folder", "warehouse.duckdb");
let wh: DuckdbWarehouse;

beforeAll(async () => {
  wh = await openDuckdb(file, { defaultDatabase: "venezuelawatch" });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("DuckDB warehouse", () => {
  it("creates the file's parent folder", () => {
    expect(fs.existsSync(path.dirname(file))).toBe(true);
    expect(wh.dialect).toBe("duckdb");
  });

  it("runs several statements and reports rows changed", async () => {
    const result = await wh.execute(`create schema if not exists analytics;
      create or replace table analytics.t (id bigint, name varchar, d date, ts timestamptz, n decimal(38, 9), j json, f double, ok boolean);
      insert into analytics.t values
        (1, 'a', date '2024-01-02', timestamptz '2024-01-02 03:04:05+00', 1.25, '{"a":1}', 0.5, true),
        (9007199254740993, 'b', null, null, null, null, null, null)`);
    expect(result).toEqual({ rows: 2 });
    expect(await wh.execute("delete from analytics.t where id > 1000")).toEqual({ rows: 1 });
  });

  it("returns plain JS values from queries with named $params", async () => {
    const rows = await wh.query("select id, name, d, ts, n, j, f, ok, 9007199254740993::bigint as big, [d] as ds from analytics.t where name = $name", { name: "a" });
    expect(rows).toEqual([
      { id: 1, name: "a", d: "2024-01-02", ts: "2024-01-02T03:04:05.000Z", n: 1.25, j: '{"a":1}', f: 0.5, ok: true, big: "9007199254740993", ds: ["2024-01-02"] },
    ]);
  });

  it("keeps dates inside structs and lists of structs as dates, as BigQuery's adapter does", async () => {
    const rows = await wh.query("select {'day': d, 'at': ts, 'n': 2::bigint} as s, [{'day': d}] as l from analytics.t where name = 'a'");
    expect(rows).toEqual([{ s: { day: "2024-01-02", at: "2024-01-02T03:04:05.000Z", n: 2 }, l: [{ day: "2024-01-02" }] }]);
  });

  it("describes tables and views with BigQuery type names", async () => {
    await wh.execute("create or replace view analytics.v as select id, name from analytics.t");
    expect(await wh.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "t" })).toEqual({
      target: { database: "venezuelawatch", schema: "analytics", name: "t" },
      kind: "table",
      columns: [
        { name: "id", type: "INT64" },
        { name: "name", type: "STRING" },
        { name: "d", type: "DATE" },
        { name: "ts", type: "TIMESTAMP" },
        { name: "n", type: "NUMERIC" },
        { name: "j", type: "JSON" },
        { name: "f", type: "FLOAT64" },
        { name: "ok", type: "BOOL" },
      ],
    });
    expect((await wh.tableMetadata({ schema: "analytics", name: "v" }))?.kind).toBe("view");
  });

  it("finds another project's table in the schema project.dataset", async () => {
    await wh.execute(`create schema if not exists "gdelt-bq.gdeltv2"; create table "gdelt-bq.gdeltv2".events as select 1 as x`);
    expect((await wh.tableMetadata({ database: "gdelt-bq", schema: "gdeltv2", name: "events" }))?.columns).toEqual([{ name: "x", type: "INT64" }]);
  });

  it("describes a view whose source table is gone with the columns it was made with", async () => {
    await wh.execute(`create table analytics.gone as select 1 as a, 'x' as b; create or replace view analytics.on_gone as select * from analytics.gone; drop table analytics.gone`);
    expect(await wh.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "on_gone" })).toEqual({
      target: { database: "venezuelawatch", schema: "analytics", name: "on_gone" },
      kind: "view",
      columns: [
        { name: "a", type: "INT64" },
        { name: "b", type: "STRING" },
      ],
    });
  });

  it("returns undefined for a missing table", async () => {
    expect(await wh.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "missing" })).toBeUndefined();
  });

  it("validates without running on a dry run", async () => {
    expect(await wh.execute("insert into analytics.t (id) values (5)", { dryRun: true })).toEqual({});
    expect(await wh.query("select count(*) as n from analytics.t")).toEqual([{ n: 1 }]);
  });

  it("wraps DuckDB errors in WarehouseError with DuckDB's message", async () => {
    const error = await wh.query("select * from analytics.nope").catch((e) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.message).toContain("Table with name nope does not exist");
  });

  it("releases the file lock on close so another process can open it", async () => {
    await wh.close();
    const script = `const { DuckDBInstance } = require("@duckdb/node-api");
      DuckDBInstance.create(${JSON.stringify(file)}).then(async (db) => {
        const r = await (await db.connect()).runAndReadAll("select count(*) as n from analytics.t");
        process.stdout.write(String(r.getRows()[0][0]));
      });`;
    expect(execFileSync(process.execPath, ["-e", script], { cwd: process.cwd() }).toString()).toBe("1");
  });
});

describe("DuckDB warehouse: translations kept beside the file", () => {
  it("keeps what translated for the next open, and rejects again what did not", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-translations-"));
    const db = path.join(home, "warehouse.duckdb");
    try {
      let w = await openDuckdb(db);
      expect(await w.run("select safe_divide(6, 3) as q")).toEqual([{ q: 2 }]);
      await expect(w.run("select ml.predict(1) as p")).rejects.toThrow(/not supported locally/);
      await w.close();
      const kept = JSON.parse(fs.readFileSync(translationsFile(db), "utf8"));
      expect(Object.keys(kept.entries)).toHaveLength(1);

      w = await openDuckdb(db);
      expect(await w.run("select safe_divide(6, 3) as q")).toEqual([{ q: 2 }]);
      await expect(w.run("select ml.predict(1) as p")).rejects.toThrow(/not supported locally/);
      await w.close();

      // A damaged file is translated afresh and replaced.
      fs.writeFileSync(translationsFile(db), "{ not json");
      w = await openDuckdb(db);
      expect(await w.run("select safe_divide(6, 3) as q")).toEqual([{ q: 2 }]);
      await w.close();
      expect(Object.keys(JSON.parse(fs.readFileSync(translationsFile(db), "utf8")).entries)).toHaveLength(1);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
