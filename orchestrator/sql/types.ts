/**
 * The one table of type names: each BigQuery type with its ZetaSQL kind and aliases, the DuckDB
 * type the local warehouse stores it as, the DuckDB names (as information_schema writes them)
 * that read back as it, and the PostgreSQL types (by OID) a federated EXTERNAL_QUERY gives it.
 * Every module that turns one vocabulary into another reads this table.
 */
interface TypeRow {
  /** BigQuery's Standard SQL name. */
  bigquery: string;
  /** Other BigQuery spellings of it: aliases in SQL, and the tables API's legacy names (INTEGER, RECORD). */
  aliases?: string[];
  /** ZetaSQL's TypeKind (PRODUCT_EXTERNAL). */
  zetasql: string;
  /** What the local DuckDB warehouse creates a column of this type as; none when it has no faithful DuckDB type. */
  duckdb?: string;
  /** information_schema names of DuckDB types that read back as this BigQuery type. */
  duckdbNames?: string[];
  /** PostgreSQL type OIDs whose values BigQuery's federated query maps to this type exactly. */
  postgresOids?: number[];
  /** The name BigQuery's REST API (tables.get, query results) writes in schemas, when not the Standard SQL name. */
  restName?: string;
}

const TYPES: TypeRow[] = [
  {
    bigquery: "INT64",
    aliases: ["INT", "INTEGER", "SMALLINT", "BIGINT", "TINYINT", "BYTEINT"],
    zetasql: "TYPE_INT64",
    restName: "INTEGER",
    duckdb: "BIGINT",
    duckdbNames: ["BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"],
    postgresOids: [20, 21, 23], // bigint, smallint, integer
  },
  { bigquery: "FLOAT64", aliases: ["FLOAT"], zetasql: "TYPE_DOUBLE", restName: "FLOAT", duckdb: "DOUBLE", duckdbNames: ["DOUBLE", "FLOAT"], postgresOids: [700, 701] },
  // The DuckDB names of NUMERIC are DECIMAL(p, s), matched by prefix (duckdbToBigQuery).
  { bigquery: "NUMERIC", aliases: ["DECIMAL"], zetasql: "TYPE_NUMERIC", duckdb: "DECIMAL(38, 9)", postgresOids: [1700] },
  { bigquery: "BIGNUMERIC", aliases: ["BIGDECIMAL"], zetasql: "TYPE_BIGNUMERIC" },
  { bigquery: "BOOL", aliases: ["BOOLEAN"], zetasql: "TYPE_BOOL", restName: "BOOLEAN", duckdb: "BOOLEAN", duckdbNames: ["BOOLEAN"], postgresOids: [16] },
  {
    bigquery: "STRING",
    zetasql: "TYPE_STRING",
    duckdb: "VARCHAR",
    duckdbNames: ["VARCHAR", "UUID"],
    postgresOids: [18, 19, 25, 1042, 1043], // char, name, text, bpchar, varchar
  },
  { bigquery: "BYTES", zetasql: "TYPE_BYTES", duckdb: "BLOB", duckdbNames: ["BLOB"] },
  { bigquery: "DATE", zetasql: "TYPE_DATE", duckdb: "DATE", duckdbNames: ["DATE"], postgresOids: [1082] },
  { bigquery: "DATETIME", zetasql: "TYPE_DATETIME" },
  { bigquery: "TIME", zetasql: "TYPE_TIME", duckdb: "TIME", duckdbNames: ["TIME"] },
  // An instant: BigQuery's TIMESTAMP is always UTC, as a DuckDB TIMESTAMPTZ in a UTC session.
  { bigquery: "TIMESTAMP", zetasql: "TYPE_TIMESTAMP", duckdb: "TIMESTAMPTZ", duckdbNames: ["TIMESTAMP", "TIMESTAMP WITH TIME ZONE"], postgresOids: [1184] },
  { bigquery: "GEOGRAPHY", zetasql: "TYPE_GEOGRAPHY" },
  { bigquery: "JSON", zetasql: "TYPE_JSON", duckdb: "JSON", duckdbNames: ["JSON"] },
  { bigquery: "INTERVAL", zetasql: "TYPE_INTERVAL", duckdb: "INTERVAL", duckdbNames: ["INTERVAL"] },
];

const byName = new Map<string, TypeRow>();
for (const row of TYPES) for (const name of [row.bigquery, ...(row.aliases ?? [])]) byName.set(name, row);

/** BigQuery's Standard SQL name of a simple type name or alias (INTEGER → INT64, RECORD → STRUCT); other names as given. */
export function standardName(name: string): string {
  const upper = name.toUpperCase();
  if (upper === "RECORD") return "STRUCT";
  return byName.get(upper)?.bigquery ?? upper;
}

/** A simple type as BigQuery's REST API writes it in a schema's `type` (INT64 → INTEGER, STRUCT → RECORD). */
export function restName(name: string): string {
  const standard = standardName(name);
  if (standard === "STRUCT") return "RECORD";
  return byName.get(standard)?.restName ?? standard;
}

/** The ZetaSQL kind of a simple BigQuery type name or alias; undefined for anything else. */
export function zetasqlKind(name: string): string | undefined {
  return byName.get(name.toUpperCase())?.zetasql;
}

/** The BigQuery name of a simple ZetaSQL kind; undefined for one the table does not hold. */
export function bigqueryNameOfKind(kind: string): string | undefined {
  return TYPES.find((t) => t.zetasql === kind)?.bigquery;
}

/** The DuckDB type the local warehouse stores a simple BigQuery type as (loaders' DDL). */
export function duckdbType(bigquery: string): string {
  const type = byName.get(bigquery.toUpperCase())?.duckdb;
  if (!type) throw new Error(`no DuckDB type stands for BigQuery ${bigquery}`);
  return type;
}

/** DuckDB information_schema names → BigQuery names, for the types that map one to one. */
export const DUCKDB_NAMES_TO_BIGQUERY: [string, string][] = TYPES.flatMap((t) => (t.duckdbNames ?? []).map((d): [string, string] => [d, t.bigquery]));

const fromDuckdb = new Map(DUCKDB_NAMES_TO_BIGQUERY);

/** A DuckDB information_schema type name in BigQuery's vocabulary (lists as ARRAY<…>, DECIMAL as NUMERIC); unknown names as given. */
export function duckdbToBigQuery(duck: string): string {
  if (duck.endsWith("[]")) return `ARRAY<${duckdbToBigQuery(duck.slice(0, -2))}>`;
  if (duck.startsWith("DECIMAL")) return "NUMERIC";
  if (duck.startsWith("STRUCT")) return "STRUCT";
  return fromDuckdb.get(duck) ?? duck;
}

/** The BigQuery and DuckDB types of a PostgreSQL column by its type OID, when BigQuery's federated query maps it exactly. */
export function federatedType(oid: number): { bigquery: string; duckdb: string } | undefined {
  const row = TYPES.find((t) => t.postgresOids?.includes(oid));
  return row?.duckdb ? { bigquery: row.bigquery, duckdb: row.duckdb } : undefined;
}
