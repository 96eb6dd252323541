import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgSink } from "../../orchestrator/postgres/connect";
import { openBigQuery, type BigQueryWarehouse } from "../../orchestrator/warehouse/bigquery/adapter";
import { testDatabaseUrl } from "../helpers/pg";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";

// The BigQuery fake that executes SQL: what the REST API answers, checked over HTTP as a client
// sees it (raw requests for the wire format, the project's adapter for the round trip).
let fake: FakeBigQuery;
let bq: BigQueryWarehouse;
let pg: PgSink | undefined;
const P = "fake-proj";

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${fake.url}/bigquery/v2/projects/${P}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const query = (sql: string, extra: Record<string, unknown> = {}) => call("POST", "/queries", { query: sql, useLegacySql: false, ...extra });

beforeAll(async () => {
  const postgres = async () => (pg ??= await PgSink.connect({ connectionString: testDatabaseUrl("test") }));
  fake = await startFakeBigQuery({ projectId: P, location: "US", execute: { postgres }, pageRows: 4 });
  bq = openBigQuery({ projectId: P, location: "US", apiEndpoint: fake.url, defaultDatabase: P, pollIntervalMs: 1 });
  await bq.execute("create schema if not exists `fake-proj.sales` options(location=\"US\")");
  await bq.execute(`create or replace table \`fake-proj.sales.orders\` partition by order_date cluster by region, customer options(description='one row per order') as
    select * from unnest([
      struct(1 as id, date '2024-01-01' as order_date, 'north' as region, 'ana' as customer, 10.5 as amount, timestamp '2024-01-01 10:00:00+00' as placed_at),
      struct(2, date '2024-01-01', 'south', 'bo', 20.0, timestamp '2024-01-01 11:30:00+00'),
      struct(3, date '2024-01-02', 'north', 'cy', 5.25, timestamp '2024-01-02 09:15:00+00'),
      struct(4, date '2024-01-02', 'north', 'ana', 7.0, timestamp '2024-01-02 12:00:00+00'),
      struct(5, date '2024-01-03', 'south', 'bo', 1.0, timestamp '2024-01-03 08:00:00+00'),
      struct(6, date '2024-01-03', 'west', 'di', 2.0, timestamp '2024-01-03 18:45:00+00')
    ])`);
});
afterAll(async () => {
  await fake.close();
  await pg?.close();
});

describe("the executing BigQuery fake", () => {
  it("tables.get returns the schema in the API's type names, the partitioning, clustering and description", async () => {
    const { status, json } = await call("GET", "/datasets/sales/tables/orders");
    expect(status).toBe(200);
    expect(json.schema.fields.map((f: any) => [f.name, f.type])).toEqual([
      ["id", "INTEGER"],
      ["order_date", "DATE"],
      ["region", "STRING"],
      ["customer", "STRING"],
      ["amount", "FLOAT"],
      ["placed_at", "TIMESTAMP"],
    ]);
    expect(json.timePartitioning).toEqual({ type: "DAY", field: "order_date" });
    expect(json.clustering).toEqual({ fields: ["region", "customer"] });
    expect(json.description).toBe("one row per order");
    expect(json.numRows).toBe("6");
    expect(json.type).toBe("TABLE");
  });

  it("alter … set options changes descriptions and labels, which tables.get then shows", async () => {
    await bq.execute("alter table `fake-proj.sales.orders` set options(description='orders, one a row', labels=[('layer', 'outputs')])");
    await bq.execute("alter table `fake-proj.sales.orders`\n  alter column `amount` set options(description='In dollars.')");
    const { json } = await call("GET", "/datasets/sales/tables/orders");
    expect(json.description).toBe("orders, one a row");
    expect(json.labels).toEqual({ layer: "outputs" });
    expect(json.schema.fields.find((f: any) => f.name === "amount").description).toBe("In dollars.");
    const bad = await bq.execute("alter table `fake-proj.sales.orders` alter column `nope` set options(description='x')").catch((e: Error) => e.message);
    expect(bad).toMatch(/Column nope not found in table sales\.orders/);
  });

  it("getQueryResults pages by maxResults and pageToken; the adapter reads every page", async () => {
    const rows = await bq.query<{ id: number }>("select id from `fake-proj.sales.orders` order by id");
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const pages = fake.requests.filter((r) => r.path.includes("/queries/") && r.method === "GET").slice(-2);
    expect(pages.map((r) => r.query.pageToken)).toEqual([undefined, "4"]);
    const job = await call("POST", "/jobs", { configuration: { query: { query: "select id from `fake-proj.sales.orders` order by id", useLegacySql: false } } });
    const id = job.json.jobReference.jobId;
    const first = await call("GET", `/queries/${id}?maxResults=2`);
    expect(first.json.totalRows).toBe("6");
    expect(first.json.rows).toEqual([{ f: [{ v: "1" }] }, { f: [{ v: "2" }] }]);
    expect(first.json.pageToken).toBe("2");
    const again = await call("POST", "/jobs", { jobReference: { jobId: id }, configuration: { query: { query: "select 1", useLegacySql: false } } });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ status: "ALREADY_EXISTS", message: `Already Exists: Job ${P}:US.${id}` });
    const last = await call("GET", `/queries/${id}?maxResults=4&pageToken=4`);
    expect(last.json.rows).toEqual([{ f: [{ v: "5" }] }, { f: [{ v: "6" }] }]);
    expect(last.json.pageToken).toBeUndefined();
  });

  it("jobs.query answers the first page at once, with values in the API's text form", async () => {
    const { status, json } = await query("select id, amount, placed_at, order_date, region = 'north' as north from `fake-proj.sales.orders` where id = 1", {
      formatOptions: { useInt64Timestamp: true },
    });
    expect(status).toBe(200);
    expect(json.kind).toBe("bigquery#queryResponse");
    expect(json.jobComplete).toBe(true);
    expect(json.schema.fields.map((f: any) => f.type)).toEqual(["INTEGER", "FLOAT", "TIMESTAMP", "DATE", "BOOLEAN"]);
    expect(json.rows).toEqual([{ f: [{ v: "1" }, { v: "10.5" }, { v: "1704103200000000" }, { v: "2024-01-01" }, { v: "true" }] }]);
  });

  it("tabledata.list pages through a table's rows", async () => {
    const first = await call("GET", "/datasets/sales/tables/orders/data?maxResults=5");
    expect(first.json.kind).toBe("bigquery#tableDataList");
    expect(first.json.totalRows).toBe("6");
    expect(first.json.rows).toHaveLength(5);
    const rest = await call("GET", `/datasets/sales/tables/orders/data?pageToken=${first.json.pageToken}`);
    expect(rest.json.rows).toHaveLength(1);
    expect(rest.json.pageToken).toBeUndefined();
  });

  it("binds typed named parameters", async () => {
    const rows = await bq.query<{ n: number; total: number }>(
      "select count(*) as n, sum(amount) as total from `fake-proj.sales.orders` where order_date >= cast(@since as date) and region = @region and id > @min_id",
      { since: "2024-01-02", region: "north", min_id: 3 },
    );
    expect(rows).toEqual([{ n: 1, total: 7 }]);
    const job = fake.queries().at(-1)!;
    expect(job.parameterMode).toBe("named");
    expect(job.queryParameters?.map((p: any) => [p.name, p.parameterType.type])).toEqual([
      ["since", "STRING"],
      ["region", "STRING"],
      ["min_id", "INT64"],
    ]);
    const missing = await query("select @nope as x");
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toBe("Query parameter 'nope' not found");
  });

  it("reports DML row counts", async () => {
    await bq.execute("create table `fake-proj.sales.totals` (region string, total float64)");
    expect(await bq.execute("insert into `fake-proj.sales.totals` (region, total) select region, sum(amount) from `fake-proj.sales.orders` group by region")).toMatchObject({ rows: 3 });
    const merged = await bq.execute(`merge \`fake-proj.sales.totals\` T
using (select 'north' as region, 1.0 as total union all select 'east', 2.0) S
on T.region = S.region
when matched then update set total = S.total
when not matched then insert (region, total) values (region, total)`);
    expect(merged.rows).toBe(2);
    expect(await bq.query("select region, total from `fake-proj.sales.totals` order by region")).toEqual([
      { region: "east", total: 2 },
      { region: "north", total: 1 },
      { region: "south", total: 21 },
      { region: "west", total: 2 },
    ]);
  });

  it("dry runs validate without running and report the bytes of the tables read", async () => {
    const before = await bq.query<{ n: number }>("select count(*) as n from `fake-proj.sales.totals`");
    const bytes = await bq.estimateBytes("delete from `fake-proj.sales.totals` where true");
    // orders is not read; totals has 4 rows × 2 columns × 8 bytes.
    expect(bytes).toBe(64);
    expect(await bq.query("select count(*) as n from `fake-proj.sales.totals`")).toEqual(before);
    expect(await bq.estimateBytes("select id from `fake-proj.sales.orders`")).toBe(6 * 6 * 8);
  });

  it("answers errors in BigQuery's format: notFound for a missing table or dataset, invalidQuery with its location", async () => {
    const table = await query("select * from `fake-proj.sales.nope`");
    expect(table.status).toBe(404);
    expect(table.json.error).toMatchObject({ code: 404, status: "NOT_FOUND", message: "Not found: Table fake-proj:sales.nope was not found in location US" });
    expect(table.json.error.errors[0]).toMatchObject({ reason: "notFound", location: "query" });
    const dataset = await query("select * from `fake-proj.nowhere.t`");
    expect(dataset.json.error.message).toBe("Not found: Dataset fake-proj:nowhere was not found in location US");
    const elsewhere = await query("select * from `fake-proj.sales.orders`", { location: "EU" });
    expect(elsewhere.json.error.message).toBe("Not found: Dataset fake-proj:sales was not found in location EU");
    const syntax = await query("selec 1");
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.errors[0]).toMatchObject({ reason: "invalidQuery", location: "query" });
    // A failed job: jobs.get reports its errorResult; the adapter's error names it.
    const failed = await bq.query("select * from `fake-proj.sales.nope`").catch((e: Error) => e.message);
    expect(failed).toMatch(/^BigQuery: Not found: Table fake-proj:sales\.nope was not found in location US/);
    const get = await call("GET", "/datasets/sales/tables/nope");
    expect(get.json.error).toMatchObject({ code: 404, status: "NOT_FOUND" });
  });

  it("keeps BigQuery's DDL rules: no create over an existing table, partitioning on a date, four clustering columns at most", async () => {
    const again = await query("create table `fake-proj.sales.totals` (region string)");
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe("Already Exists: Table fake-proj:sales.totals");
    const partition = await query("create or replace table `fake-proj.sales.p` partition by region as select 'x' as region");
    expect(partition.json.error.message).toMatch(/^PARTITION BY expression must be/);
    expect((await call("GET", "/datasets/sales/tables/p")).status).toBe(404);
    const cluster = await query("create or replace table `fake-proj.sales.c` cluster by a, b, c, d, e as select 1 as a, 1 as b, 1 as c, 1 as d, 1 as e");
    expect(cluster.json.error.message).toMatch(/Too many clustering columns/);
    const ok = await query("create or replace table `fake-proj.sales.daily` partition by date(placed_at) as select placed_at from `fake-proj.sales.orders`");
    expect(ok.status).toBe(200);
    expect((await call("GET", "/datasets/sales/tables/daily")).json.timePartitioning).toEqual({ type: "DAY", field: "placed_at" });
  });

  it("runs scripts: declare, begin … end blocks, and the last select's rows", async () => {
    const rows = await bq.query<{ n: number }>(`declare cutoff date default (select max(order_date) from \`fake-proj.sales.orders\`);
begin
  create or replace table \`fake-proj.sales.latest\` as select * from \`fake-proj.sales.orders\` where order_date = cutoff;
end;
select count(*) as n from \`fake-proj.sales.latest\``);
    expect(rows).toEqual([{ n: 2 }]);
    const job = fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/jobs")).at(-1)!;
    expect(job.body.configuration.query.query).toMatch(/^declare cutoff/);
    // A dry run of a script validates each statement, the variable typed but not evaluated.
    const dry = await call("POST", "/jobs", {
      configuration: { dryRun: true, query: { query: "declare d date default (select max(order_date) from `fake-proj.sales.orders`);\nselect id from `fake-proj.sales.orders` where order_date = d", useLegacySql: false } },
    });
    expect(dry.status).toBe(200);
    expect(dry.json.statistics.query).toMatchObject({ statementType: "SCRIPT", totalBytesProcessed: String(2 * 6 * 6 * 8) });
    const bad = await call("POST", "/jobs", { configuration: { dryRun: true, query: { query: "declare d date;\nselect nope from `fake-proj.sales.orders` where order_date = d", useLegacySql: false } } });
    expect(bad.status).toBe(400);
  });

  it("views: created, described by tables.get as VIEW, dropped", async () => {
    await bq.execute("create or replace view `fake-proj.sales.north` as select id from `fake-proj.sales.orders` where region = 'north'");
    expect(await bq.tableMetadata({ database: P, schema: "sales", name: "north" })).toEqual({
      target: { database: P, schema: "sales", name: "north" },
      kind: "view",
      columns: [{ name: "id", type: "INT64" }],
    });
    await bq.execute("drop view if exists `fake-proj.sales.north`");
    expect(await bq.tableMetadata({ database: P, schema: "sales", name: "north" })).toBeUndefined();
  });

  it("datasets: list, get, insert (409 when it exists)", async () => {
    const created = await call("POST", "/datasets", { datasetReference: { projectId: P, datasetId: "fresh" }, location: "US" });
    expect(created.json).toMatchObject({ id: `${P}:fresh`, location: "US" });
    expect((await call("POST", "/datasets", { datasetReference: { projectId: P, datasetId: "fresh" } })).status).toBe(409);
    expect((await call("GET", "/datasets")).json.datasets.map((d: any) => d.datasetReference.datasetId).sort()).toEqual(["fresh", "sales"]);
    expect((await call("GET", "/datasets/none")).status).toBe(404);
  });

  it("serves EXTERNAL_QUERY from PostgreSQL, with BigQuery's types, through a connection in the job's location", async () => {
    const { json } = await query(`select * from EXTERNAL_QUERY("${P}.us.app", """select 7::integer as n, 'x'::text as s, date '2024-02-29' as d""")`);
    expect(json.schema.fields.map((f: any) => [f.name, f.type])).toEqual([
      ["n", "INTEGER"],
      ["s", "STRING"],
      ["d", "DATE"],
    ]);
    expect(json.rows).toEqual([{ f: [{ v: "7" }, { v: "x" }, { v: "2024-02-29" }] }]);
    const elsewhere = await query(`select * from EXTERNAL_QUERY("${P}.eu.app", "select 1 as n")`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json.error.message).toMatch(/^Not found: Connection fake-proj\.eu\.app/);
    const refused = await query(`select * from EXTERNAL_QUERY("${P}.us.app", "select * from no_such_table")`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/^Invalid table-valued function EXTERNAL_QUERY: .*no_such_table/);
  });

  it("refuses legacy SQL, the API's default when useLegacySql is not sent", async () => {
    const legacy = await call("POST", "/queries", { query: "select 1" });
    expect(legacy.status).toBe(400);
    expect(legacy.json.error.message).toMatch(/useLegacySql/);
  });
});
