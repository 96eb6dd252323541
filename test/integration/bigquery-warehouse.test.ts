import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WarehouseError } from "../../orchestrator/errors";
import { openBigQuery, type BigQueryWarehouse } from "../../orchestrator/warehouse/bigquery/adapter";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";

let fake: FakeBigQuery;
let wh: BigQueryWarehouse;

beforeAll(async () => {
  fake = await startFakeBigQuery({ projectId: "vw-prod", location: "EU", pendingPolls: 2 });
  wh = openBigQuery({
    projectId: "vw-prod",
    location: "EU",
    labels: { tool: "vwatch" },
    apiEndpoint: fake.url,
    defaultDatabase: "venezuelawatch",
    pollIntervalMs: 1,
  });
});
afterAll(() => fake.close());

const last = () => fake.queries()[fake.queries().length - 1];

describe("BigQuery warehouse (against the fake REST API)", () => {
  it("reports the bytes a dry run would process, with labels and location on the job", async () => {
    fake.setQueryResult("from `venezuelawatch.analytics.mention_spikes`", { bytesProcessed: 123456789 });
    const result = await wh.execute("select * from `venezuelawatch.analytics.mention_spikes`", { dryRun: true });
    expect(wh.dialect).toBe("bigquery");
    expect(result).toEqual({ bytesProcessed: 123456789 });
    expect(last()).toMatchObject({
      sql: "select * from `venezuelawatch.analytics.mention_spikes`",
      dryRun: true,
      location: "EU",
      labels: { tool: "vwatch" },
    });
    const insert = fake.requests.find((r) => r.method === "POST" && r.path === "/projects/vw-prod/jobs");
    expect(insert?.body.configuration.query.useLegacySql).toBe(false);
  });

  it("waits for a running job and reports DML rows affected", async () => {
    fake.setQueryResult(/^merge /, { numDmlAffectedRows: 42, bytesProcessed: 2048 });
    const before = fake.requests.length;
    expect(await wh.execute("merge `venezuelawatch.analytics.t` T using s on false when not matched then insert row")).toEqual({
      rows: 42,
      bytesProcessed: 2048,
    });
    const polls = fake.requests.slice(before).filter((r) => r.method === "GET" && r.path.startsWith("/projects/vw-prod/jobs/"));
    expect(polls.length).toBe(3);
    expect(polls.every((r) => r.query.location === "EU")).toBe(true);
    expect(last().dryRun).toBe(false);
  });

  it("reports the row count of a select and nothing for DDL", async () => {
    fake.setQueryResult("from three_rows", { schema: [{ name: "n", type: "INTEGER" }], rows: [[1], [2], [3]], bytesProcessed: 10 });
    expect(await wh.execute("select n from three_rows")).toEqual({ rows: 3, bytesProcessed: 10 });
    fake.setQueryResult("create or replace table", { bytesProcessed: 0 });
    expect(await wh.execute("create or replace table `venezuelawatch.analytics.x` as select 1 as a")).toEqual({ bytesProcessed: 0 });
  });

  it("surfaces a failed job as a WarehouseError with BigQuery's message and the location", async () => {
    fake.setQueryResult("from missing_table", { error: { message: "Not found: Table vw-prod:analytics.missing_table was not found in location EU", reason: "notFound" } });
    const error = await wh.execute("select * from missing_table").catch((e) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.code).toBe("WAREHOUSE");
    expect(error.message).toMatch(/^BigQuery: Not found: Table vw-prod:analytics.missing_table was not found in location EU \(location EU, job [\w-]+\)/);
    expect(error.message).toContain("in: select * from missing_table");
  });

  it("surfaces an invalid dry run (HTTP 400) as a WarehouseError", async () => {
    fake.setQueryResult("selec ", { error: { message: "Syntax error: Unexpected identifier \"selec\" at [1:1]" } });
    const error = await wh.execute("selec 1", { dryRun: true }).catch((e) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.message).toContain('Syntax error: Unexpected identifier "selec" at [1:1] (location EU)');
  });

  it("binds named parameters instead of splicing values into the SQL", async () => {
    fake.setQueryResult("from events where", { schema: [{ name: "n", type: "INTEGER" }], rows: [[7]] });
    const sql = "select count(*) as n from events where country = @country and day >= @since and score > @min and note = @note";
    const rows = await wh.query(sql, { country: "VEN'; drop table x; --", since: "2024-01-01", min: 2.5, note: null });
    expect(rows).toEqual([{ n: 7 }]);
    expect(last().sql).toBe(sql);
    expect(last().parameterMode).toBe("named");
    expect(last().queryParameters).toEqual([
      { name: "country", parameterType: { type: "STRING" }, parameterValue: { value: "VEN'; drop table x; --" } },
      { name: "since", parameterType: { type: "STRING" }, parameterValue: { value: "2024-01-01" } },
      { name: "min", parameterType: { type: "FLOAT64" }, parameterValue: { value: 2.5 } },
      { name: "note", parameterType: { type: "STRING" }, parameterValue: { value: null } },
    ]);
  });

  it("returns plain JS values from query results", async () => {
    fake.setQueryResult("from typed", {
      schema: [
        { name: "id", type: "INTEGER" },
        { name: "big", type: "INT64" },
        { name: "name", type: "STRING" },
        { name: "d", type: "DATE" },
        { name: "ts", type: "TIMESTAMP" },
        { name: "f", type: "FLOAT" },
        { name: "n", type: "NUMERIC" },
        { name: "ok", type: "BOOLEAN" },
        { name: "tags", type: "STRING", mode: "REPEATED" },
        { name: "s", type: "RECORD", fields: [{ name: "a", type: "INTEGER" }, { name: "b", type: "DATE" }] },
        { name: "missing", type: "STRING" },
      ],
      rows: [
        { id: 1, big: "9007199254740993", name: "a", d: "2024-01-02", ts: "2024-01-02T03:04:05.678Z", f: 0.5, n: "1.25", ok: true, tags: ["x", "y"], s: { a: 2, b: "2024-02-03" }, missing: null },
      ],
    });
    expect(await wh.query("select * from typed")).toEqual([
      {
        id: 1,
        big: "9007199254740993",
        name: "a",
        d: "2024-01-02",
        ts: "2024-01-02T03:04:05.678Z",
        f: 0.5,
        n: 1.25,
        ok: true,
        tags: ["x", "y"],
        s: { a: 2, b: "2024-02-03" },
        missing: null,
      },
    ]);
    const results = fake.requests.filter((r) => r.path.startsWith("/projects/vw-prod/queries/"));
    expect(results[results.length - 1].query).toMatchObject({ location: "EU", "formatOptions.useInt64Timestamp": "true" });
  });

  it("describes tables and views with BigQuery type names, and undefined when absent", async () => {
    fake.tables.register({
      target: { database: "venezuelawatch", schema: "analytics", name: "mention_spikes" },
      schema: [
        { name: "event_id", type: "INTEGER", mode: "REQUIRED" },
        { name: "spike_date", type: "DATE" },
        { name: "z_score", type: "FLOAT" },
        { name: "flag", type: "BOOLEAN" },
        { name: "sources", type: "STRING", mode: "REPEATED" },
        { name: "meta", type: "RECORD", fields: [{ name: "a", type: "STRING" }] },
      ],
    });
    fake.tables.register({ target: { database: "venezuelawatch", schema: "analytics", name: "v" }, schema: [{ name: "x", type: "STRING" }], type: "VIEW" });
    expect(await wh.tableMetadata({ schema: "analytics", name: "mention_spikes" })).toEqual({
      target: { schema: "analytics", name: "mention_spikes" },
      kind: "table",
      columns: [
        { name: "event_id", type: "INT64" },
        { name: "spike_date", type: "DATE" },
        { name: "z_score", type: "FLOAT64" },
        { name: "flag", type: "BOOL" },
        { name: "sources", type: "ARRAY<STRING>" },
        { name: "meta", type: "STRUCT" },
      ],
    });
    expect(await wh.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "v" })).toMatchObject({ kind: "view" });
    expect(await wh.tableMetadata({ database: "venezuelawatch", schema: "analytics", name: "nope" })).toBeUndefined();
    const gets = fake.requests.filter((r) => r.method === "GET" && r.path.includes("/tables/"));
    expect(gets.map((r) => r.path)).toEqual([
      "/projects/venezuelawatch/datasets/analytics/tables/mention_spikes",
      "/projects/venezuelawatch/datasets/analytics/tables/v",
      "/projects/venezuelawatch/datasets/analytics/tables/nope",
    ]);
  });
});
