import { describe, expect, it } from "vitest";
import { bigQueryTypeName, parseBigQueryType } from "../../orchestrator/validate/bigquery-types";
import { buildCatalog, CatalogError } from "../../orchestrator/validate/catalog";
import { unknownToZetaSql } from "../../orchestrator/validate/exceptions";
import { aliasExternalQueries, unalias } from "../../orchestrator/validate/external-query";
import { scriptUnits } from "../../orchestrator/validate/script";
import { gdeltColumns } from "../../orchestrator/product/sources";
import { columnsOf } from "../../orchestrator/validate/sources";
import { serverBinary, ValidationUnavailableError } from "../../orchestrator/validate/zetasql-server";

/** The GDELT declarations' catalog columns, as validate builds them from the product's stated columns. */
const gdeltSchemas = (target: { database?: string; schema?: string; name: string }) => {
  const columns = gdeltColumns(target);
  return columns && columnsOf(columns);
};

// The pure parts of offline validation: type names, the catalog, EXTERNAL_QUERY aliases, exceptions.

const INT64 = { typeKind: "TYPE_INT64" };
const lang = { productMode: "PRODUCT_EXTERNAL" };

describe("BigQuery type names", () => {
  it("read simple, parameterized and nested types", () => {
    expect(parseBigQueryType("int64")).toEqual(INT64);
    expect(parseBigQueryType("STRING(10)")).toEqual({ typeKind: "TYPE_STRING" });
    expect(parseBigQueryType("ARRAY<STRUCT<a INT64, `b c` NUMERIC(10, 2)>>")).toEqual({
      typeKind: "TYPE_ARRAY",
      arrayType: { elementType: { typeKind: "TYPE_STRUCT", structType: { field: [{ fieldName: "a", fieldType: INT64 }, { fieldName: "b c", fieldType: { typeKind: "TYPE_NUMERIC" } }] } } },
    });
  });

  it("print back in BigQuery's spelling", () => {
    expect(bigQueryTypeName(parseBigQueryType("array<struct<a float64, b range<date>>>"))).toBe("ARRAY<STRUCT<a FLOAT64, b RANGE<DATE>>>");
  });

  it("refuse what BigQuery has no type for, naming it", () => {
    expect(() => parseBigQueryType("VARCHAR")).toThrow('not a BigQuery type: "VARCHAR" (unknown type VARCHAR)');
    expect(() => parseBigQueryType("ARRAY<ARRAY<INT64>>")).toThrow(/cannot hold an ARRAY/);
    expect(() => parseBigQueryType("ARRAY<INT64")).toThrow(/expected >/);
  });
});

describe("the catalog", () => {
  const events = { path: ["gdelt-bq", "gdeltv2", "events"], columns: [{ name: "GLOBALEVENTID", type: INT64 }] };
  const model = { path: ["proj", "staging", "stg"], columns: [{ name: "event_id", type: INT64 }] };

  it("reaches a table by every spelling BigQuery accepts", () => {
    const catalog = buildCatalog({ tables: [events, model], defaultProject: "proj" }, lang) as Record<string, any>;
    expect(catalog.table.map((t: { name: string }) => t.name).sort()).toEqual(["gdelt-bq.gdeltv2.events", "proj.staging.stg", "staging.stg"]);
    expect(catalog.catalog.map((c: { name: string }) => c.name).sort()).toEqual(["gdelt-bq", "proj", "staging"]);
    const gdelt = catalog.catalog.find((c: { name: string }) => c.name === "gdelt-bq");
    expect(gdelt.catalog[0].table[0]).toEqual({ name: "events", column: [{ name: "GLOBALEVENTID", type: INT64, isPseudoColumn: false }] });
    expect(catalog.builtinFunctionOptions).toEqual({ languageOptions: lang });
  });

  it("refuses inputs that would crash the server or mislead the analysis", () => {
    const bad = (columns: unknown[]) => () => buildCatalog({ tables: [{ path: ["p", "d", "t"], columns: columns as never }] }, lang);
    expect(bad([{ name: "a", type: INT64 }, { name: "A", type: INT64 }])).toThrow(new CatalogError("table p.d.t: column A appears twice"));
    expect(bad([{ name: "a", type: { typeKind: "TYPE_UINT32" } }])).toThrow("table p.d.t, column a: type TYPE_UINT32 is not a BigQuery type");
    expect(bad([{ name: "", type: INT64 }])).toThrow("table p.d.t: a column has no name");
    expect(() => buildCatalog({ tables: [{ path: ["p", "", "t"], columns: [] }] }, lang)).toThrow(/invalid name/);
  });

  it("gives the GDELT declarations the loader's columns and BigQuery's partition pseudo-columns", () => {
    const columns = gdeltSchemas({ database: "gdelt-bq", schema: "gdeltv2", name: "events_partitioned" })!;
    expect(columns).toHaveLength(63);
    expect(columns[0]).toEqual({ name: "GLOBALEVENTID", type: INT64 });
    expect(columns.filter((c) => c.pseudo).map((c) => c.name)).toEqual(["_PARTITIONTIME", "_PARTITIONDATE"]);
    expect(gdeltSchemas({ database: "x", schema: "y", name: "z" })).toBeUndefined();
  });
});

describe("EXTERNAL_QUERY aliases", () => {
  const sql = `select e.nope from EXTERNAL_QUERY("p.us.app", """select 1 as id""") as e, external_query('p.us.app', "select 1 as id") f`;

  it("rename each call to a same-length alias per inner query, keeping every position", () => {
    const { sql: out, calls } = aliasExternalQueries(sql);
    expect(out).toHaveLength(sql.length);
    expect(out.indexOf("e.nope")).toBe(sql.indexOf("e.nope"));
    expect(calls).toHaveLength(2);
    expect(calls[0].alias).toBe(calls[1].alias);
    expect(calls[0].alias).toMatch(/^EXTQ_[0-9a-f]{9}$/);
    expect(calls.map((c) => c.at)).toEqual([sql.indexOf("EXTERNAL_QUERY"), sql.indexOf("external_query")]);
    expect(calls[0].query.sql).toBe("select 1 as id");
    expect(unalias(`Table-valued function ${calls[0].alias.toUpperCase()} fails`, calls)).toBe("Table-valued function EXTERNAL_QUERY fails");
  });

  it("leave calls whose arguments are not string literals alone", () => {
    const text = "select * from EXTERNAL_QUERY(conn, concat('a', 'b'))";
    expect(aliasExternalQueries(text)).toEqual({ sql: text, calls: [] });
  });
});

describe("where ZetaSQL and BigQuery differ", () => {
  it("does not fail a statement for a BigQuery feature ZetaSQL lacks", () => {
    expect(unknownToZetaSql("Table not found: `p.d`.INFORMATION_SCHEMA.TABLES")).toBe("INFORMATION_SCHEMA views are not in the offline catalog");
    expect(unknownToZetaSql("Table-valued function not found: ML.PREDICT")).toBe("ZetaSQL lacks BigQuery's ML.PREDICT");
    expect(unknownToZetaSql("Function not found: search; Did you mean sech?")).toBe("ZetaSQL lacks BigQuery's SEARCH");
    expect(unknownToZetaSql("Function not found: zscore_of")).toBeUndefined();
    expect(unknownToZetaSql("GROUP BY ALL is not supported")).toBe("the bundled ZetaSQL lacks GROUP BY ALL");
    expect(unknownToZetaSql('Syntax error: Expected end of input but got "|"', "|> where x > 1")).toBe("the bundled ZetaSQL lacks pipe syntax (|>)");
    expect(unknownToZetaSql('Syntax error: Expected "(" or keyword SELECT but got keyword BY', "by name select 1")).toBe("the bundled ZetaSQL lacks set operations BY NAME");
    expect(unknownToZetaSql('Syntax error: Unexpected ")"', ")")).toBeUndefined();
  });
});

describe("script units", () => {
  it("cuts a parsed script into statements, expressions and declarations at string offsets", () => {
    // A trimmed ZetaSQL parse tree of the text (its offsets count UTF-8 bytes: é is two).
    const text = "DECLARE x INT64;\nSET x = 1;\nselect 'é'";
    const loc = (start: number, end: number) => ({ parent: { parseLocationRange: { start, end } } });
    const tree = {
      statementListNode: {
        statementList: [
          { astScriptStatementNode: { astVariableDeclarationNode: { ...loc(0, 15), variableList: { identifierList: [{ idString: "x" }] }, type: loc(10, 15) } } },
          { astScriptStatementNode: { astSingleAssignmentNode: { ...loc(17, 26), expression: loc(25, 26) } } },
          { astQueryStatementNode: loc(28, 39) },
        ],
      },
    };
    expect(scriptUnits(tree, text)).toEqual([
      { kind: "declare", start: 0, end: 15, names: ["x"], type: { start: 10, end: 15 }, value: undefined },
      { kind: "expression", start: 25, end: 26 },
      { kind: "statement", start: 28, end: 38 },
    ]);
  });
});

describe("where the server runs", () => {
  it("says validation is unavailable on a platform the package ships no server for", () => {
    expect(() => serverBinary("win32", "x64")).toThrow(ValidationUnavailableError);
    expect(() => serverBinary("win32", "x64")).toThrow(/offline BigQuery validation is unavailable on win32-x64/);
  });
});
