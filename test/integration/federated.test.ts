import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { runCliCode } from "../helpers/cli";
import { readResults } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { testDatabaseUrl } from "../helpers/pg";
import { makeProject, tempHome } from "../helpers/project";

// EXTERNAL_QUERY on the local warehouse: the inner query runs on a real PostgreSQL
// (the test server's database test, see test/helpers/pg.ts) and its rows reach DuckDB with BigQuery's types.

const PG = testDatabaseUrl("test");
const schema = `vw_fed_${process.pid}`;

describe("EXTERNAL_QUERY on the local warehouse", () => {
  const client = new Client({ connectionString: PG });
  const env = { ...process.env };

  beforeAll(async () => {
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    await client.query(`create table ${schema}.things (
      id integer, big bigint, small smallint, ok boolean, ratio double precision, amount numeric(12, 3),
      name text, code varchar(5), letter char(2), day date, at timestamptz, uid uuid, doc jsonb, naive timestamp)`);
    await client.query(`insert into ${schema}.things values
      (1, 9007199254740993, 7, true, 0.1, 12345.678, 'Caracas, "VE"', 'VEN', 'x', '2024-02-29', '2024-02-29 23:30:00.123456+00', gen_random_uuid(), '{"a": 1}', '2024-01-01'),
      (2, null, null, false, null, null, '', null, null, null, null, null, null, null)`);
    process.env.DATABASE_URL = PG;
  });

  afterAll(async () => {
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    process.env = env;
  });

  const model = (inner: string) =>
    makeProject({ "definitions/fed.sqlx": `config { type: "table" }\nselect * from EXTERNAL_QUERY("testproj.us.app", """${inner}""")\n` });

  async function run(project: string): Promise<{ code: number; home: string }> {
    const home = tempHome();
    const code = await runCliCode(["--home", home, "--project-dir", project, "-q", "run", "--no-sync"]);
    return { code, home };
  }

  it("brings every supported type across with BigQuery's type, keeping NULL and '' apart", async () => {
    const inner = `select id, big, small, ok, ratio, amount, name, code, letter, day, at from ${schema}.things order by id`;
    const { code, home } = await run(model(inner));
    expect(code).toBe(0);
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "testproj" });
    try {
      const meta = await db.tableMetadata({ database: "testproj", schema: "ds", name: "fed" });
      expect(meta?.columns).toEqual([
        { name: "id", type: "INT64" },
        { name: "big", type: "INT64" },
        { name: "small", type: "INT64" },
        { name: "ok", type: "BOOL" },
        { name: "ratio", type: "FLOAT64" },
        { name: "amount", type: "NUMERIC" },
        { name: "name", type: "STRING" },
        { name: "code", type: "STRING" },
        { name: "letter", type: "STRING" },
        { name: "day", type: "DATE" },
        { name: "at", type: "TIMESTAMP" },
      ]);
      expect(await db.query(`select * from "ds"."fed" order by id`)).toEqual([
        {
          id: 1,
          big: "9007199254740993",
          small: 7,
          ok: true,
          ratio: 0.1,
          amount: 12345.678,
          name: 'Caracas, "VE"',
          code: "VEN",
          letter: "x ",
          day: "2024-02-29",
          at: "2024-02-29T23:30:00.123Z",
        },
        { id: 2, big: null, small: null, ok: false, ratio: null, amount: null, name: "", code: null, letter: null, day: null, at: null },
      ]);
    } finally {
      await db.close();
    }
  });

  it.each([
    ["uid", "uuid", "id::text"],
    ["doc", "jsonb", "PARSE_JSON"],
    ["naive", "timestamp without time zone", "at time zone 'UTC'"],
  ])("refuses a %s column (%s) with the advice to cast it", async (column, type, advice) => {
    const { code, home } = await run(model(`select ${column} from ${schema}.things`));
    expect(code).toBe(1);
    const [action] = readResults(home)!.actions;
    expect(action.error?.message).toContain(`column "${column}" has PostgreSQL type ${type}`);
    expect(action.error?.message).toContain(advice);
  });

  it("says how to get the application's tables when they are missing", async () => {
    const { code, home } = await run(model(`select id from ${schema}.no_such_table`));
    expect(code).toBe(1);
    expect(readResults(home)!.actions[0].error?.message).toMatch(/does not exist.*vwatch seed-app-data/s);
  });

  it("asks for an alias on computed columns, as BigQuery does", async () => {
    const { code, home } = await run(model(`select id + 1 from ${schema}.things`));
    expect(code).toBe(1);
    expect(readResults(home)!.actions[0].error?.message).toContain("give every computed column an alias");
  });
});
