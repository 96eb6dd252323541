import { beforeAll, describe, expect, it } from "vitest";
import { UnsupportedSqlError } from "../../orchestrator/errors";
import { rewriteCalls } from "../../orchestrator/translate/rewrite";
import { initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";

const ctx = { defaultDatabase: "venezuelawatch", defaultSchema: "analytics", file: "definitions/outputs/assert_x.sqlx" };

function refusal(sql: string): string {
  try {
    translateToDuckdb(sql, ctx);
  } catch (e) {
    if (e instanceof UnsupportedSqlError) return e.message;
    throw e;
  }
  throw new Error(`expected ${sql} to be refused`);
}

beforeAll(() => initTranslator());

describe("INFORMATION_SCHEMA locally", () => {
  it("reads dataset.INFORMATION_SCHEMA.COLUMNS from DuckDB's information_schema, for that schema only", () => {
    const sql = translateToDuckdb("select column_name from analytics.INFORMATION_SCHEMA.COLUMNS where table_name = 't'", ctx);
    expect(sql).toMatch(/^SELECT column_name FROM \(SELECT c\.table_schema, c\.table_name, c\.column_name, /);
    expect(sql).toContain("FROM information_schema.columns AS c");
    expect(sql).toContain("WHERE c.table_catalog = current_database() AND c.table_schema = 'analytics')");
  });

  it("refuses a project or region qualifier, whose local meaning depends on the default project", () => {
    expect(refusal("select 1 from `venezuelawatch`.analytics.INFORMATION_SCHEMA.COLUMNS")).toBe(
      "definitions/outputs/assert_x.sqlx: INFORMATION_SCHEMA name `venezuelawatch`.analytics.INFORMATION_SCHEMA.COLUMNS is not supported locally; run with --warehouse bigquery or rewrite as dataset.INFORMATION_SCHEMA.COLUMNS (a dataset of the default project)",
    );
    expect(refusal("select 1 from `region-us`.INFORMATION_SCHEMA.COLUMNS")).toMatch(/region-qualified `region-us`\.INFORMATION_SCHEMA\.COLUMNS is not supported locally/);
    expect(refusal("select 1 from `venezuelawatch.analytics.INFORMATION_SCHEMA.COLUMNS`")).toMatch(/is not supported locally/);
  });

  it("refuses the other INFORMATION_SCHEMA views", () => {
    expect(refusal("select 1 from analytics.INFORMATION_SCHEMA.TABLES")).toMatch(/INFORMATION_SCHEMA\.TABLES is not supported locally; .* INFORMATION_SCHEMA\.COLUMNS, the only view available locally/);
  });
});

describe("name rules in the text rewrite", () => {
  const rules = { SCHEMA_X: { name: (parts: string[]) => `<${parts.join("|")}>` }, F: (a: string[]) => `g(${a.join(",")})` };

  it("replaces a whole dotted name that has a part with a rule, quoted parts included", () => {
    expect(rewriteCalls("select a.b from `p`.d.schema_x.v as t", "bigquery", rules)).toBe("select a.b from <`p`|d|schema_x|v> as t");
  });

  it("leaves other names, and the rule's word alone or in a string, untouched", () => {
    expect(rewriteCalls("select schema_x, 'd.schema_x.v', f(x.y) from d.t", "bigquery", rules)).toBe("select schema_x, 'd.schema_x.v', g(x.y) from d.t");
  });
});
