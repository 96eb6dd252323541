import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";
import { CONSTRUCT_CASES as cases, type Kind } from "../helpers/allow-list-cases";

/**
 * Every allow-listed construct, translated and run on DuckDB, against the value BigQuery is
 * documented to return. `type` is the category the DuckDB column must have (INT64 → integer,
 * FLOAT64 → double, DATE → date, …).
 */
const ctx = { defaultDatabase: "venezuelawatch", file: "definitions/test.sqlx" };

function kindOf(duckType: string): Kind {
  if (/\[\]$/.test(duckType)) return "list";
  if (/^STRUCT/.test(duckType)) return "struct";
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(duckType)) return "integer";
  if (/^(DOUBLE|FLOAT)$/.test(duckType)) return "double";
  if (duckType === "DATE") return "date";
  if (/^TIMESTAMP/.test(duckType)) return "timestamp";
  if (/^DECIMAL/.test(duckType)) return "numeric";
  if (duckType === "BOOLEAN") return "bool";
  if (duckType === "JSON") return "json";
  return "string";
}

let connection: DuckDBConnection;
beforeAll(async () => {
  await initTranslator();
  connection = await (await DuckDBInstance.create(":memory:")).connect();
  await connection.run("SET TimeZone = 'UTC'");
});
afterAll(() => connection.closeSync());

/** Runs translated BigQuery SQL and returns column v of every row (dates as YYYY-MM-DD) and its kind. */
async function run(bigquerySql: string): Promise<{ values: unknown[]; kind: Kind }> {
  const reader = await connection.runAndReadAll(translateToDuckdb(bigquerySql, ctx));
  const i = reader.columnNames().indexOf("v");
  const type = reader.columnTypes()[i].toString();
  const norm = (x: unknown): unknown =>
    typeof x === "bigint" ? Number(x) : x instanceof Date ? (type === "DATE" ? x.toISOString().slice(0, 10) : x.toISOString()) : Array.isArray(x) ? x.map(norm) : x;
  return { values: reader.getRowObjectsJS().map((r) => norm(r.v)), kind: kindOf(type) };
}

describe("BigQuery constructs on the allow-list give BigQuery's documented results on DuckDB", () => {
  for (const [construct, sql, values, kind] of cases) {
    it(construct, async () => {
      const result = await run(sql);
      expect(result.kind).toBe(kind);
      expect(result.values).toEqual(values);
    });
  }
});

describe("statements", () => {
  it("runs analysts' DDL and DML on translated table names", async () => {
    const statements = translateToDuckdb(
      `create table if not exists \`venezuelawatch.ops.runs\` (id int64, note string, day date);
       insert into \`venezuelawatch.ops.runs\` (id, note, day) select 1, 'a', date '2024-01-01' union all select 2, 'b', date '2024-01-02';
       delete from \`venezuelawatch.ops.runs\` where id = 2;
       update \`venezuelawatch.ops.runs\` set note = 'c' where id = 1;
       merge \`venezuelawatch.ops.runs\` t using (select 1 as id, 'm' as note union all select 3, 'n') s on t.id = s.id
         when matched then update set note = s.note
         when not matched then insert (id, note, day) values (s.id, s.note, date '2024-02-01')`,
      ctx,
    );
    await connection.run(statements);
    const reader = await connection.runAndReadAll(translateToDuckdb("select id, note, day from `venezuelawatch.ops.runs` order by id", ctx));
    expect(reader.getRowObjectsJson()).toEqual([
      { id: "1", note: "m", day: "2024-01-01" },
      { id: "3", note: "n", day: "2024-02-01" },
    ]);
  });

  it("reads another project's dataset from the schema named project.dataset", async () => {
    await connection.run(`create schema if not exists "gdelt-bq.gdeltv2"; create or replace table "gdelt-bq.gdeltv2"."events" as select 7 as v`);
    expect((await run("select v from `gdelt-bq.gdeltv2.events`")).values).toEqual([7]);
  });

  it("CREATE OR REPLACE TABLE AS, TRUNCATE and DROP TABLE IF EXISTS", async () => {
    await connection.run(translateToDuckdb("create or replace table `analytics.tmp` as select 1 as v; truncate table `analytics.tmp`", ctx));
    expect((await run("select count(*) as v from `analytics.tmp`")).values).toEqual([0]);
    await connection.run(translateToDuckdb("drop table if exists `analytics.tmp`", ctx));
  });
});

describe("dataset.INFORMATION_SCHEMA.COLUMNS", () => {
  // BigQuery documents one row per column: table_schema = the dataset, ordinal_position from 1,
  // is_nullable YES/NO by the column's mode (REPEATED does not allow NULL), data_type the GoogleSQL type.
  beforeAll(async () => {
    await connection.run(
      translateToDuckdb(
        `create table \`venezuelawatch.vx.probe\` (s string, n int64, f float64, b bool, d date, t timestamp, a array<string>, x numeric, j json, by bytes);
         create or replace table \`venezuelawatch.vx.derived\` as select timestamp(date '2024-01-01') as day, avg(1) as mean, count(*) as n;
         create table \`venezuelawatch.other.probe\` (only_here string)`,
        ctx,
      ),
    );
  });

  it("lists a table's columns with BigQuery's positions, nullability and type names", async () => {
    const sql = `select column_name, ordinal_position, is_nullable, data_type from vx.INFORMATION_SCHEMA.COLUMNS
      where table_name = 'probe' order by ordinal_position`;
    const reader = await connection.runAndReadAll(translateToDuckdb(sql, ctx));
    expect(reader.getRowObjectsJS().map((r) => [r.column_name, Number(r.ordinal_position), r.is_nullable, r.data_type])).toEqual([
      ["s", 1, "YES", "STRING"],
      ["n", 2, "YES", "INT64"],
      ["f", 3, "YES", "FLOAT64"],
      ["b", 4, "YES", "BOOL"],
      ["d", 5, "YES", "DATE"],
      ["t", 6, "YES", "TIMESTAMP"],
      ["a", 7, "NO", "ARRAY<STRING>"],
      ["x", 8, "YES", "NUMERIC"],
      ["j", 9, "YES", "JSON"],
      ["by", 10, "YES", "BYTES"],
    ]);
    expect(kindOf(reader.columnTypes()[1].toString())).toBe("integer");
  });

  it("covers only the named dataset, and the types of a query's columns (TIMESTAMP, FLOAT64, INT64)", async () => {
    const got = await run(`select table_name || '.' || column_name || ' ' || data_type as v from \`vx\`.INFORMATION_SCHEMA.COLUMNS as c
      where c.table_name in ('derived', 'probe') and c.ordinal_position <= 3 order by c.table_name, c.ordinal_position`);
    expect(got.values).toEqual(["derived.day TIMESTAMP", "derived.mean FLOAT64", "derived.n INT64", "probe.s STRING", "probe.n INT64", "probe.f FLOAT64"]);
    expect((await run("select count(*) as v from other.INFORMATION_SCHEMA.COLUMNS")).values).toEqual([1]);
  });
});
