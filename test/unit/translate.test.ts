import { beforeAll, describe, expect, it } from "vitest";
import { UnsupportedSqlError } from "../../orchestrator/errors";
import { initTranslator, translateToDuckdb, translateToDuckdbAsync } from "../../orchestrator/translate/translate";

const ctx = { defaultDatabase: "venezuelawatch", defaultSchema: "analytics", file: "definitions/outputs/mention_spikes.sqlx" };
const t = (sql: string) => translateToDuckdb(sql, ctx);

function rejection(sql: string): UnsupportedSqlError {
  try {
    t(sql);
  } catch (e) {
    if (e instanceof UnsupportedSqlError) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to be rejected`);
}

beforeAll(() => initTranslator());

describe("table names", () => {
  it("maps the default project's dataset to a schema of the same name", () => {
    expect(t("select a from `venezuelawatch.analytics.stg_x`")).toBe('SELECT a FROM "analytics"."stg_x"');
  });

  it("maps another project's dataset to the schema project.dataset", () => {
    expect(t("select a from `gdelt-bq.gdeltv2.events_partitioned` as e")).toBe('SELECT a FROM "gdelt-bq.gdeltv2"."events_partitioned" AS e');
  });

  it("reads a two-part name as a dataset of the default project", () => {
    expect(t("select a from `analytics.stg_x`")).toBe('SELECT a FROM "analytics"."stg_x"');
  });

  it("leaves backticks inside string literals alone", () => {
    expect(t("select '`a.b.c`' as s")).toBe("SELECT '`a.b.c`' AS s");
  });
});

describe("statements", () => {
  it("turns @params into DuckDB $params", () => {
    expect(t("select a from `analytics.t` where d >= @since")).toBe('SELECT a FROM "analytics"."t" WHERE d >= $since');
  });

  it("translates several statements separated by semicolons", () => {
    expect(t("delete from `analytics.t` where true; insert into `analytics.t` (a) select 1")).toBe(
      'DELETE FROM "analytics"."t" WHERE TRUE;\nINSERT INTO "analytics"."t" (a) SELECT 1',
    );
  });

  it("creates the schema before CREATE TABLE", () => {
    expect(t("create table if not exists `venezuelawatch.ops.runs` (id int64, amount numeric)")).toBe(
      'CREATE SCHEMA IF NOT EXISTS "ops";\nCREATE TABLE IF NOT EXISTS "ops"."runs" (id BIGINT, amount DECIMAL(38, 9))',
    );
  });

  it("self-initialises in the async variant", async () => {
    await expect(translateToDuckdbAsync("select 1 as a", ctx)).resolves.toBe("SELECT 1 AS a");
  });

  it("translates a MERGE's USING subquery and ON condition as it translates queries (the plan's incremental merge)", () => {
    const merged = t(`merge \`analytics.t\` T
using (select cast(format_date('%Y%m%d', date '2015-02-18') as int64) as a) S
on T.a = S.a
  and T.at >= timestamp(date_sub(date '2015-02-18', interval 30 day))
when matched then update set a = S.a
when not matched then insert (a) values (a)`);
    expect(merged).toBe(
      'MERGE INTO "analytics"."t" AS T USING (SELECT CAST(STRFTIME(CAST(CAST(\'2015-02-18\' AS DATE) AS DATE), \'%Y%m%d\') AS BIGINT) AS a) AS S ' +
        "ON (T.a = S.a AND T.at >= CAST(CAST(CAST('2015-02-18' AS DATE) - INTERVAL '30' DAY AS DATE) AS TIMESTAMPTZ)) " +
        'WHEN MATCHED THEN UPDATE SET a = S.a WHEN NOT MATCHED THEN INSERT (a) VALUES (a)',
    );
  });
});

describe("rejections name the file, the construct and what to do", () => {
  it("rejects scripting", () => {
    const e = rejection("declare x int64 default 1; select x");
    expect(e.construct).toBe("declare");
    expect(e.message).toBe(
      "definitions/outputs/mention_spikes.sqlx: declare is not supported locally; run with --warehouse bigquery or rewrite as inline the value (scripting is not supported locally)",
    );
  });

  it.each([
    ["select format_timestamp('%Y', ts) from t", "FORMAT_TIMESTAMP"],
    ["select timestamp_add(ts, interval 1 hour) from t", "TIMESTAMP_ADD"],
    ["select date_trunc(d, hour) from t", "DATE_TRUNC at HOUR"],
    ["select timestamp_trunc(ts, week) from t", "TIMESTAMP_TRUNC at WEEK"],
    ["select date_diff(a, b, week) from t", "DATE_DIFF at WEEK"],
    ["select extract(week from d) from t", "EXTRACT at WEEK"],
    ["select regexp_extract(s, p) from t", "REGEXP_EXTRACT with a computed pattern"],
    ["select regexp_extract(s, r'(a)(b)') from t", "REGEXP_EXTRACT with several capture groups"],
    ["select @@project_id", "system variable @@project_id"],
    ["select approx_count_distinct(x) from t", "approx_count_distinct"],
  ])("%s → %s", (sql, construct) => {
    const e = rejection(sql);
    expect(e.construct).toBe(construct);
    expect(e.message).toContain("definitions/outputs/mention_spikes.sqlx: ");
    expect(e.message).toContain("not supported locally; run with --warehouse bigquery or rewrite as ");
  });

  it("rejects SQL the translator cannot parse, with polyglot's reason", () => {
    const e = rejection("create table `analytics.t` (d date) partition by d options(description='x')");
    expect(e.construct).toMatch(/^SQL that the translator cannot parse \(Parse error/);
  });
});
