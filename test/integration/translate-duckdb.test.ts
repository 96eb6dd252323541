import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";

/**
 * Every allow-listed construct, translated and run on DuckDB, against the value BigQuery is
 * documented to return. `type` is the category the DuckDB column must have (INT64 → integer,
 * FLOAT64 → double, DATE → date, …).
 */
type Kind = "integer" | "double" | "date" | "timestamp" | "string" | "bool" | "numeric" | "list" | "struct" | "json";
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

const nums = "select x from unnest([2, 4, 4, 4, 5, 5, 7, 9]) as x";
const series = `select date '2024-01-01' as d, 1 as x union all select date '2024-01-10', 2 union all select date '2024-01-31', 4
  union all select date '2024-02-01', 8 union all select date '2024-03-15', 16`;

// [construct, BigQuery SQL selecting column v, documented values (one per row), kind]
const cases: [string, string, unknown[], Kind][] = [
  ["WITH + JOIN USING + GROUP BY + HAVING + ORDER BY", `with a as (select 1 as k, 10 as x union all select 1, 20 union all select 2, 5),
    b as (select 1 as k, 'one' as name union all select 2, 'two')
    select b.name, sum(a.x) as v from a join b using (k) group by b.name having sum(a.x) > 6 order by b.name`, [30], "integer"],
  ["SELECT *, parentheses, <>, <=, OR, -", "select * from (select (1 + 2) * 3 - 1 as v) where v <> 0 and (v <= 8 or false)", [8], "integer"],
  ["SELECT * EXCEPT", "select * except (a) from (select 1 as a, 2 as v)", [2], "integer"],
  ["LEFT JOIN ON, IS NULL", "select b.y is null as v from (select 1 as k) a left join (select 2 as k, 1 as y) b on a.k = b.k", [true], "bool"],
  ["ORDER BY puts NULLs first (BigQuery ASC)", "select v from unnest([2, null, 1]) as v order by v", [null, 1, 2], "integer"],
  ["QUALIFY ROW_NUMBER()", "select v from (select 1 as g, 1 as v union all select 1, 2 union all select 2, 3) where true qualify row_number() over (partition by g order by v desc) = 1 order by v", [2, 3], "integer"],
  ["RANK, DENSE_RANK", "select rank() over (order by x) * 10 + dense_rank() over (order by x) as v from unnest([1, 1, 2]) as x order by v", [11, 11, 32], "integer"],
  ["LAG, LEAD, FIRST_VALUE", "select coalesce(lag(x) over (order by x), 0) * 100 + coalesce(lead(x) over (order by x), 0) * 10 + first_value(x) over (order by x) as v from unnest([1, 2, 3]) as x order by x", [21, 131, 201], "integer"],
  ["30-day RANGE window over UNIX_DATE", `with s as (${series}) select avg(x) over (partition by 1 order by unix_date(d) range between 30 preceding and 1 preceding) as v from s order by d`, [null, 1, 1.5, 3, null], "double"],
  ["COUNT, SUM", `select count(*) * 1000 + sum(x) as v from (${nums})`, [8040], "integer"],
  ["AVG", `select avg(x) as v from (${nums})`, [5], "double"],
  ["MIN, MAX", `select min(x) * 10 + max(x) as v from (${nums})`, [29], "integer"],
  ["STDDEV_SAMP", `select round(stddev_samp(x), 12) as v from (${nums})`, [2.138089935299] /* sqrt(32 / 7) */, "double"],
  ["COUNTIF", `select countif(x > 4) as v from (${nums})`, [4], "integer"],
  ["ANY_VALUE", "select any_value(x) as v from unnest(['a', 'a']) as x", ["a"], "string"],
  ["ARRAY_AGG ORDER BY", "select array_agg(x order by x desc) as v from unnest([1, 3, 2]) as x", [[3, 2, 1]], "list"],
  ["ARRAY_AGG … LIMIT", "select array_agg(x order by x limit 2) as v from unnest([3, 1, 2]) as x", [[1, 2]], "list"],
  ["CASE", "select case when x > 1 then 'big' else 'small' end as v from unnest([1, 2]) as x order by x", ["small", "big"], "string"],
  ["simple CASE", "select case x when 1 then 'one' end as v from unnest([1, 2]) as x order by x", ["one", null], "string"],
  ["IF", "select if(1 < 2, 'a', 'b') as v", ["a"], "string"],
  ["IFNULL", "select ifnull(null, 0) as v", [0], "integer"],
  ["COALESCE", "select coalesce(null, 'b', 'c') as v", ["b"], "string"],
  ["NULLIF", "select nullif(0, 0) as v", [null], "integer"],
  ["GREATEST with NULL is NULL", "select greatest(1, null) as v", [null], "integer"],
  ["GREATEST, LEAST", "select greatest(1, 3, 2) * 10 + least(4, 2) as v", [32], "integer"],
  ["SAFE_DIVIDE by zero", "select safe_divide(10, 0) as v", [null], "double"],
  ["SAFE_DIVIDE", "select safe_divide(10, 4) as v", [2.5], "double"],
  ["/ is FLOAT64 division", "select 7 / 2 as v", [3.5], "double"],
  ["FLOAT64 literal", "select 0.1 + 0.2 as v", [0.30000000000000004], "double"],
  ["CAST AS INT64 rounds half away from zero", "select cast(-1.5 as int64) as v", [-2], "integer"],
  ["CAST string AS INT64", "select cast('12' as int64) as v", [12], "integer"],
  ["CAST AS STRING", "select cast(12 as string) as v", ["12"], "string"],
  ["CAST AS DATE", "select cast('2008-12-25' as date) as v", ["2008-12-25"], "date"],
  ["CAST AS NUMERIC", "select cast('1.25' as numeric) as v", [1.25], "numeric"],
  ["CAST AS FLOAT64", "select cast(1 as float64) as v", [1], "double"],
  ["SAFE_CAST", "select safe_cast('apple' as int64) as v", [null], "integer"],
  ["DATE(timestamp)", "select date(timestamp '2008-12-25 23:30:00+00') as v", ["2008-12-25"], "date"],
  ["DATE(y, m, d)", "select date(2016, 12, 25) as v", ["2016-12-25"], "date"],
  ["TIMESTAMP(string) is UTC", "select timestamp('2008-12-25 15:30:00') as v", ["2008-12-25T15:30:00.000Z"], "timestamp"],
  ["DATETIME(timestamp)", "select datetime(timestamp '2008-12-25 15:30:00+00') as v", ["2008-12-25T15:30:00.000Z"], "timestamp"],
  ["DATE_ADD stays DATE", "select date_add(date '2008-12-25', interval 5 day) as v", ["2008-12-30"], "date"],
  ["DATE_ADD MONTH clamps to month end", "select date_add(date '2024-01-31', interval 1 month) as v", ["2024-02-29"], "date"],
  ["DATE_SUB stays DATE", "select date_sub(date '2008-12-25', interval 5 day) as v", ["2008-12-20"], "date"],
  ["DATE_SUB WEEK", "select date_sub(date '2008-12-25', interval 1 week) as v", ["2008-12-18"], "date"],
  ["DATE_DIFF DAY", "select date_diff(date '2010-07-07', date '2008-12-25', day) as v", [559], "integer"],
  ["DATE_DIFF YEAR counts boundaries", "select date_diff(date '2018-01-01', date '2017-12-31', year) as v", [1], "integer"],
  ["DATE_DIFF MONTH", "select date_diff(date '2018-01-01', date '2017-12-31', month) as v", [1], "integer"],
  ["DATE_TRUNC MONTH stays DATE", "select date_trunc(date '2008-12-25', month) as v", ["2008-12-01"], "date"],
  ["DATE_TRUNC WEEK starts on Sunday", "select date_trunc(d, week) as v from unnest([date '2008-12-25', date '2017-11-05']) as d order by d", ["2008-12-21", "2017-11-05"], "date"],
  ["DATE_TRUNC ISOWEEK starts on Monday", "select date_trunc(date '2017-11-05', isoweek) as v", ["2017-10-30"], "date"],
  ["TIMESTAMP_TRUNC HOUR", "select timestamp_trunc(timestamp '2008-12-25 15:30:00+00', hour) as v", ["2008-12-25T15:00:00.000Z"], "timestamp"],
  ["TIMESTAMP_TRUNC DAY", "select timestamp_trunc(timestamp '2008-12-25 15:30:00+00', day) as v", ["2008-12-25T00:00:00.000Z"], "timestamp"],
  ["TIMESTAMP_DIFF HOUR counts whole hours", "select timestamp_diff(timestamp '2001-02-01 01:00:00+00', timestamp '2001-02-01 00:00:01+00', hour) as v", [0], "integer"],
  ["TIMESTAMP_DIFF DAY negative", "select timestamp_diff(timestamp '2018-08-14', timestamp '2018-10-14', day) as v", [-61], "integer"],
  ["CURRENT_DATE is today in UTC", "select current_date() = cast(current_timestamp() as date) as v", [true], "bool"],
  ["EXTRACT YEAR, MONTH, DAY", "select extract(year from d) * 10000 + extract(month from d) * 100 + extract(day from d) as v from unnest([date '2008-12-25']) as d", [20081225], "integer"],
  ["EXTRACT DAYOFWEEK is 1 = Sunday", "select extract(dayofweek from d) as v from unnest([date '2008-12-21', date '2008-12-25', date '2008-12-27']) as d order by d", [1, 5, 7], "integer"],
  ["EXTRACT DAYOFYEAR, HOUR", "select extract(dayofyear from date '2008-12-25') * 100 + extract(hour from timestamp '2008-12-25 15:30:00+00') as v", [36015], "integer"],
  ["FORMAT_DATE", "select format_date('%b-%d-%Y', date '2008-12-25') as v", ["Dec-25-2008"], "string"],
  ["PARSE_DATE", "select parse_date('%Y%m%d', '20081225') as v", ["2008-12-25"], "date"],
  ["PARSE_TIMESTAMP", "select parse_timestamp('%Y%m%d%H%M%S', '20240105123000') as v", ["2024-01-05T12:30:00.000Z"], "timestamp"],
  ["UNIX_DATE", "select unix_date(date '2008-12-25') as v", [14238], "integer"],
  ["TIMESTAMP_SECONDS", "select timestamp_seconds(1230219000) as v", ["2008-12-25T15:30:00.000Z"], "timestamp"],
  ["GENERATE_DATE_ARRAY + UNNEST", "select d as v from unnest(generate_date_array('2016-10-05', '2016-10-09', interval 2 day)) as d order by d", ["2016-10-05", "2016-10-07", "2016-10-09"], "date"],
  ["GENERATE_DATE_ARRAY default step", "select array_length(generate_date_array(date '2016-10-05', date '2016-10-08')) as v", [4], "integer"],
  ["IN UNNEST", "select 2 in unnest([1, 2, 3]) and not 4 in unnest([1, 2]) as v", [true], "bool"],
  ["CONCAT", "select concat('a', 'b', 'c') as v", ["abc"], "string"],
  ["CONCAT with NULL is NULL", "select concat('a', s) as v from unnest([cast(null as string)]) as s", [null], "string"],
  ["|| operator", "select 'a' || 'b' as v", ["ab"], "string"],
  ["LOWER, UPPER, TRIM", "select lower('AbC') || upper('d') || trim('  e  ') as v", ["abcDe"], "string"],
  ["SUBSTR", "select substr('apple', 2, 2) || substr('apple', -2) as v", ["pple"], "string"],
  ["LENGTH counts characters", "select length('абв') as v", [3], "integer"],
  ["SPLIT", "select split('a,b,c', ',') as v", [["a", "b", "c"]], "list"],
  ["STARTS_WITH", "select starts_with('foobar', 'foo') as v", [true], "bool"],
  ["REGEXP_CONTAINS matches anywhere", "select regexp_contains('foo@example.com', r'@[a-z]+\\.') and not regexp_contains('abc', r'^b') as v", [true], "bool"],
  ["REGEXP_EXTRACT capture group", "select regexp_extract('foo@example.com', r'^([a-z]+)@') as v", ["foo"], "string"],
  ["REGEXP_EXTRACT whole match, NULL when none", "select regexp_extract(s, r'[0-9]+') as v from unnest(['ab12c', 'abc']) as s order by s", ["12", null], "string"],
  ["REPLACE", "select replace('a-b-c', '-', '+') as v", ["a+b+c"], "string"],
  ["LIKE, BETWEEN, NOT", "select 'abc' like 'a%' and 2 between 1 and 3 and not false as v", [true], "bool"],
  ["ABS, MOD", "select abs(-2) * 10 + mod(-5, 3) as v", [18], "integer"],
  ["ROUND half away from zero", "select round(2.5) + round(-2.5) * 10 + round(3.14159, 2) as v", [3 - 30 + 3.14], "double"],
  ["LN, EXP, LOG", "select ln(exp(2)) + log(100, 10) + log(exp(1)) as v", [5], "double"],
  ["POW, SQRT", "select pow(2, 3) + sqrt(16) as v", [12], "double"],
  ["JSON_VALUE returns the unquoted scalar", "select json_value('{\"name\": \"Jakob\", \"age\": 6}', '$.name') as v", ["Jakob"], "string"],
  ["JSON_VALUE of a number and of an object", "select json_value(j, '$.a') as v from unnest(['{\"a\": 10}', '{\"a\": {\"b\": 1}}']) as j order by j", ["10", null], "string"],
  ["JSON_VALUE on PARSE_JSON", "select json_value(parse_json('{\"a\": \"x\"}'), '$.a') as v", ["x"], "string"],
  ["TO_JSON_STRING", "select to_json_string(struct(1 as a, 'x' as b)) as v", ['{"a":1,"b":"x"}'], "string"],
  ["GENERATE_UUID", "select length(generate_uuid()) as v", [36], "integer"],
  ["STRUCT field", "select struct(1 as a, 'x' as b).a as v", [1], "integer"],
  ["ARRAY literal, OFFSET, ORDINAL, SAFE_OFFSET", "select [10, 20, 30][offset(1)] + [10, 20, 30][ordinal(1)] + coalesce([1][safe_offset(5)], 0) as v", [30], "integer"],
  ["ARRAY(subquery), ARRAY_LENGTH", "select array_length(array(select 1 union all select 2)) as v", [2], "integer"],
  ["UNION ALL", "select 1 as v union all select 1", [1, 1], "integer"],
  ["EXCEPT DISTINCT", "select v from (select 1 as v union all select 1 union all select 2) except distinct select 2", [1], "integer"],
  ["EXISTS, IN subquery, scalar subquery", "select exists(select 1) and 1 in (select 1) and (select 2) = 2 as v", [true], "bool"],
];

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
