import { describe, expect, it } from "vitest";
import { extractExternalQueries } from "../../orchestrator/sql/external-query";

// Finding EXTERNAL_QUERY calls in a statement; running them is test/integration/federated.test.ts.

describe("extractExternalQueries", () => {
  it("replaces each call by a stand-in table and decodes the query literal", () => {
    const sql = `select * from EXTERNAL_QUERY("p.us.app", """select 'a' as x\nfrom t;""") join external_query('p.us.app', 'select \\'b\\' as y') using (x)`;
    const { sql: out, queries } = extractExternalQueries(sql);
    expect(queries.map((q) => ({ connection: q.connection, sql: q.sql }))).toEqual([
      { connection: "p.us.app", sql: "select 'a' as x\nfrom t" },
      { connection: "p.us.app", sql: "select 'b' as y" },
    ]);
    expect(out).toBe(`select * from \`vw__external.${queries[0].table}\` join \`vw__external.${queries[1].table}\` using (x)`);
  });

  it("gives the same query the same stand-in, and leaves strings that mention it alone", () => {
    const call = `EXTERNAL_QUERY("c", r"select 1 as n")`;
    const { sql, queries } = extractExternalQueries(`select 'EXTERNAL_QUERY(x)' as s from ${call} as a, ${call} as b`);
    expect(queries).toHaveLength(1);
    expect(queries[0].sql).toBe("select 1 as n");
    expect(sql.startsWith(`select 'EXTERNAL_QUERY(x)' as s from \`vw__external.`)).toBe(true);
  });

  it("refuses a query that is not a string literal, naming the file", () => {
    expect(() => extractExternalQueries(`select * from EXTERNAL_QUERY("c", concat("select ", "1"))`, "definitions/x.sqlx")).toThrow(
      /definitions\/x\.sqlx: EXTERNAL_QUERY needs a connection id and a query as string literals/,
    );
  });
});
