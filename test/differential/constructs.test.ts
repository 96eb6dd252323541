import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDBConnection } from "@duckdb/node-api";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";
import { ALLOWED } from "../../orchestrator/translate/allow-list";
import { constructsOf, initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";
import { sharedClient } from "../../orchestrator/validate/zetasql-client";
import { buildCatalog } from "../../orchestrator/validate/catalog";
import { CONSTRUCT_CASES } from "../helpers/allow-list-cases";
import { compareResults, fromDuckdb, fromZeta, toZeta, zetaType, type Canonical, type Result, type TypeProto } from "./values";
import { evaluateReference } from "./zetasql";

/**
 * Every case of test/helpers/allow-list-cases.ts evaluated twice: the BigQuery SQL by ZetaSQL's
 * reference evaluator, and its DuckDB translation. Results must agree as multisets with exact
 * types. INSERT, UPDATE and DELETE are compared on the table they modify (ZetaSQL EvaluateModify).
 * A last test checks that every key of the allow-list is covered by a compared case or excepted.
 */

/** Allow-list keys ZetaSQL's reference evaluator cannot check, why, and which test checks them instead. */
const EXCEPTIONS: Record<string, string> = {
  GENERATE_UUID: "UNIMPLEMENTED in ZetaSQL's reference evaluator; translate-duckdb.test.ts checks the length of the UUID",
  merge: "ZetaSQL does not evaluate MERGE; translate-duckdb.test.ts ('statements') checks the merged rows, models.test.ts checks merged tables against a full refresh",
  whens: "the WHEN clauses of MERGE: as merge",
  when: "one WHEN clause of MERGE: as merge",
  identifier: "polyglot reports it for MERGE's INSERT column list only (no query uses it): as merge",
  create_table: "DDL, not a query; translate-duckdb.test.ts ('statements', INFORMATION_SCHEMA) runs it on DuckDB",
  drop_table: "DDL, not a query; translate-duckdb.test.ts ('statements') runs it on DuckDB",
  truncate: "DDL, not a query; translate-duckdb.test.ts ('statements') checks the table is empty",
};

/** Cases whose SQL the reference evaluator cannot evaluate (they use an excepted construct). */
const SKIPPED_CASES = new Set(["GENERATE_UUID"]);

const ctx = { defaultDatabase: "venezuelawatch", file: "definitions/test.sqlx" };
const compared = new Set<string>();
const mismatches: string[] = [];

let db: DuckdbWarehouse;
let connection: DuckDBConnection;
beforeAll(async () => {
  await initTranslator();
  db = await openDuckdb(":memory:");
  connection = db.connection;
});
afterAll(async () => {
  await db.close();
  await sharedClient().close();
  const excepted = [...ALLOWED].filter((k) => !compared.has(k) && EXCEPTIONS[k]).length;
  const covered = [...ALLOWED].filter((k) => compared.has(k)).length;
  process.stdout.write(`differential constructs: ${ALLOWED.size} on the allow-list, ${covered} compared, ${excepted} excepted, ${mismatches.length} mismatches\n`);
});

/** Records the allow-list keys a compared statement uses, and a mismatch if there are problems. */
function record(construct: string, sql: string, problems: string[]): void {
  for (const k of constructsOf(sql)) if (ALLOWED.has(k)) compared.add(k);
  if (problems.length) mismatches.push(construct);
}

/** A canonical value in the form of the documented values: numbers, ISO timestamps, NUMERIC as a number. */
function documented(x: Canonical, type: string): unknown {
  if (Array.isArray(x)) return x.map((e) => documented(e, type.replace(/^ARRAY<(.*)>$/, "$1")));
  if (typeof x === "bigint") return /TIME/.test(type) ? new Date(Number(x / 1000n)).toISOString() : Number(x);
  return type === "NUMERIC" && x !== null ? Number(x) : x;
}

describe("allow-listed constructs: ZetaSQL's reference evaluator vs the DuckDB translation", () => {
  for (const [construct, sql, values] of CONSTRUCT_CASES) {
    if (SKIPPED_CASES.has(construct)) continue;
    it(construct, async () => {
      const reference = await evaluateReference(sql, []);
      const local = fromDuckdb(await connection.runAndReadAll(translateToDuckdb(sql, ctx)));
      const problems = compareResults(reference, local);
      record(construct, sql, problems);
      expect(problems, construct).toEqual([]);
      // The reference also gives the values BigQuery documents, in the same order.
      const v = reference.columns.findIndex((c) => c.name === "v");
      expect(reference.rows.map((r) => documented(r[v], reference.columns[v].type)), `${construct}: reference vs documented`).toEqual(values);
    });
  }
});

describe("the clock: CURRENT_DATE and CURRENT_TIMESTAMP agree on today (UTC) and on their types", () => {
  // Both engines read the clock a moment apart: this fails only across midnight UTC.
  const sql = "select current_date() as v, timestamp_trunc(current_timestamp(), day) as midnight, date(current_timestamp()) as d";
  it("CURRENT_DATE, CURRENT_TIMESTAMP", async () => {
    const problems = compareResults(await evaluateReference(sql, []), fromDuckdb(await connection.runAndReadAll(translateToDuckdb(sql, ctx))));
    record("CURRENT_DATE, CURRENT_TIMESTAMP", sql, problems);
    expect(problems).toEqual([]);
  });
});

// ---- DML: the modified table, by ZetaSQL EvaluateModify and by DuckDB after the translated statement

const TABLE = { path: ["venezuelawatch", "ops", "runs"], columns: [{ name: "id", type: "INT64" }, { name: "note", type: "STRING" }, { name: "day", type: "DATE" }] };
const ROWS: Canonical[][] = [[1n, "a", "2024-01-01"], [2n, "b", "2024-01-02"], [3n, null, "2024-01-03"]];

const SETUP = `create or replace table \`venezuelawatch.ops.runs\` (id int64, note string, day date);
  insert into \`venezuelawatch.ops.runs\` (id, note, day) values (1, 'a', date '2024-01-01'), (2, 'b', date '2024-01-02'), (3, null, date '2024-01-03')`;

const DML: [string, string][] = [
  ["INSERT … VALUES", "insert into `venezuelawatch.ops.runs` (id, note, day) values (4, 'd', date '2024-01-04'), (5, null, null)"],
  ["INSERT … SELECT", "insert into `venezuelawatch.ops.runs` (id, note, day) select id + 10, upper(note), date_add(day, interval 1 month) from `venezuelawatch.ops.runs` where id > 1"],
  ["DELETE … WHERE", "delete from `venezuelawatch.ops.runs` where note is null or id = 1"],
  ["UPDATE … SET … WHERE", "update `venezuelawatch.ops.runs` set note = concat(coalesce(note, '?'), '!'), day = date_sub(day, interval 1 day) where id >= 2"],
];

type ModifyRow = { operation?: string; cell?: Record<string, unknown>[]; oldPrimaryKey?: Record<string, unknown>[] };
type CatalogNode = { table?: { primaryKeyColumnIndex?: number[] }[]; catalog?: CatalogNode[] };

/**
 * Makes id (the first column) every table's primary key, so EvaluateModify names the rows it
 * deletes or updates (for INSERT, a primary key crashes the ZetaSQL server; inserts need none).
 */
const withPrimaryKey = (c: CatalogNode): CatalogNode => ({
  ...c,
  table: c.table?.map((t) => ({ ...t, primaryKeyColumnIndex: [0] })),
  catalog: c.catalog?.map(withPrimaryKey),
});

/** The table after the statement by ZetaSQL: ROWS with the rows EvaluateModify touched (by old primary key) applied. */
async function referenceModify(sql: string): Promise<Canonical[][]> {
  const client = sharedClient();
  const languageOptions = await client.languageOptions();
  const types: TypeProto[] = TABLE.columns.map((c) => zetaType(c.type));
  const catalog = buildCatalog({ tables: [{ path: TABLE.path, columns: TABLE.columns.map((c, i) => ({ name: c.name, type: types[i] })) }] }, languageOptions);
  const response = (await client.call("evaluateModify", () => ({
    sql,
    options: { languageOptions, defaultTimezone: "UTC", errorMessageMode: "ERROR_MESSAGE_ONE_LINE" },
    simpleCatalog: /^\s*insert\b/i.test(sql) ? catalog : withPrimaryKey(catalog as CatalogNode),
    tableContent: { [TABLE.path.join(".")]: { tableData: { row: ROWS.map((r) => ({ cell: r.map((v, i) => toZeta(v, types[i])) })) } } },
  }))) as { content?: ModifyRow[] };
  const rows = new Map(ROWS.map((r) => [String(r[0]), r]));
  const written: Canonical[][] = [];
  for (const r of response.content ?? []) {
    if (r.operation !== "INSERT") rows.delete(String(fromZeta(r.oldPrimaryKey![0], types[0])));
    if (r.operation !== "DELETE") written.push((r.cell ?? []).map((v, i) => fromZeta(v, types[i])));
  }
  return [...rows.values(), ...written];
}

describe("allow-listed DML: ZetaSQL EvaluateModify vs the DuckDB translation, on the modified table", () => {
  for (const [construct, sql] of DML) {
    it(construct, async () => {
      const rows = await referenceModify(sql);
      const reference: Result = { columns: TABLE.columns, rows };
      await connection.run(translateToDuckdb(SETUP, ctx));
      await connection.run(translateToDuckdb(sql, ctx));
      const local = fromDuckdb(await connection.runAndReadAll(translateToDuckdb("select id, note, day from `venezuelawatch.ops.runs`", ctx)));
      const problems = compareResults(reference, local);
      record(construct, sql, problems);
      expect(problems, construct).toEqual([]);
    });
  }
});

describe("coverage", () => {
  it("every allow-list key is compared by a case or excepted with a reason", () => {
    const uncovered = [...ALLOWED].filter((k) => !compared.has(k) && !EXCEPTIONS[k]);
    expect(uncovered, `allow-list keys neither compared nor excepted: ${uncovered.join(", ")}`).toEqual([]);
  });
});
