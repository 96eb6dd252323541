import { DUCKDB_NAMES_TO_BIGQUERY } from "../sql/types";
import { lex, text } from "../sql/lexer";
import { unquote, type CallRule, type Rule } from "./rewrite";

/**
 * Text passes around polyglot for BigQuery functions it translates with different results
 * (measured against BigQuery's documented results; see docs/local-sql.md). The pre pass rewrites
 * BigQuery calls into BigQuery text that polyglot passes through, using VW__ placeholder
 * functions; the post pass expands those placeholders into DuckDB SQL.
 */
export type Reject = (construct: string, advice: string) => never;

const word = (s: string) => s.trim().toUpperCase();
const TS_DIFF_PARTS = ["MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"];
const DATE_DIFF_PARTS = ["DAY", "MONTH", "QUARTER", "YEAR"];
const DATE_ADD_PARTS = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"];
const DATE_TRUNC_PARTS = ["DAY", "MONTH", "QUARTER", "YEAR"];
const TS_TRUNC_PARTS = ["MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "MONTH", "QUARTER", "YEAR"];
const EXTRACT_PARTS = ["YEAR", "QUARTER", "MONTH", "DAY", "DAYOFYEAR", "HOUR", "MINUTE", "SECOND"];

function arity(name: string, args: string[], min: number, max: number, reject: Reject) {
  if (args.length < min || args.length > max) reject(`${name} with ${args.length} arguments`, `call ${name} with ${min === max ? min : `${min} to ${max}`} arguments`);
}

function part(name: string, value: string, allowed: string[], reject: Reject): string {
  const p = word(value);
  if (!allowed.includes(p)) reject(`${name} at ${p}`, `use one of ${allowed.join(", ")}`);
  return p.toLowerCase();
}

/** Capture groups in a RE2 pattern literal: "(" not escaped and not "(?". */
function captureGroups(pattern: string): number {
  let n = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "(" && pattern[i + 1] !== "?") n++;
  }
  return n;
}

/** Splits `x ORDER BY y LIMIT n` at a top-level LIMIT. */
function splitLimit(arg: string): [string, string] | undefined {
  const tokens = lex(arg, "bigquery");
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === "(" || t.text === "[") depth++;
    if (t.text === ")" || t.text === "]") depth--;
    if (depth === 0 && t.kind === "word" && t.text.toUpperCase() === "LIMIT") return [text(tokens.slice(0, i)), text(tokens.slice(i + 1))];
  }
  return undefined;
}

export function preRules(reject: Reject): Record<string, Rule> {
  return {
    // A dotted name, not a call: dataset.INFORMATION_SCHEMA.COLUMNS becomes a stand-in over DuckDB's own.
    INFORMATION_SCHEMA: { name: (parts) => informationSchema(parts, reject) },
    // polyglot: REGEXP_FULL_MATCH (whole-string match); BigQuery matches anywhere.
    REGEXP_CONTAINS: (a) => (arity("REGEXP_CONTAINS", a, 2, 2, reject), `VW__REGEXP_MATCHES(${a[0]}, ${a[1]})`),
    // BigQuery: capture group 1 if the pattern has one, else the match; NULL (not '') when no match.
    REGEXP_EXTRACT: (a) => {
      arity("REGEXP_EXTRACT", a, 2, 2, reject);
      const pattern = lex(a[1], "bigquery");
      if (pattern.length !== 1 || pattern[0].kind !== "string") reject("REGEXP_EXTRACT with a computed pattern", "pass the pattern as a string literal");
      const groups = captureGroups(pattern[0].text);
      if (groups > 1) reject("REGEXP_EXTRACT with several capture groups", "use at most one capture group");
      return `VW__REGEXP_EXTRACT(${a[0]}, ${a[1]}, ${groups})`;
    },
    // polyglot: `j -> path` (JSON, quoted); BigQuery returns the scalar as STRING, NULL for objects/arrays.
    JSON_VALUE: (a) => (arity("JSON_VALUE", a, 1, 2, reject), `VW__JSON_VALUE(${a[0]}, ${a[1] ?? "'$'"})`),
    // DuckDB date_diff counts boundaries; BigQuery TIMESTAMP_DIFF counts whole elapsed units.
    TIMESTAMP_DIFF: (a) => (arity("TIMESTAMP_DIFF", a, 3, 3, reject), `VW__DATE_SUB('${part("TIMESTAMP_DIFF", a[2], TS_DIFF_PARTS, reject)}', ${a[1]}, ${a[0]})`),
    // Both count boundaries for these parts; WEEK boundaries differ (Sunday vs Monday).
    DATE_DIFF: (a) => (arity("DATE_DIFF", a, 3, 3, reject), `VW__DATE_DIFF('${part("DATE_DIFF", a[2], DATE_DIFF_PARTS, reject)}', ${a[1]}, ${a[0]})`),
    // polyglot: d + INTERVAL → TIMESTAMP; BigQuery returns DATE.
    DATE_ADD: (a) => dateArith("DATE_ADD", a, reject),
    DATE_SUB: (a) => dateArith("DATE_SUB", a, reject),
    // polyglot: DuckDB date_trunc, Monday weeks, TIMESTAMP result; BigQuery: Sunday weeks, DATE.
    DATE_TRUNC: (a) => {
      arity("DATE_TRUNC", a, 2, 2, reject);
      const p = word(a[1]).replace(/\s+/g, "");
      if (p === "WEEK" || p === "WEEK(SUNDAY)") return `VW__WEEK_START(${a[0]})`;
      if (p === "ISOWEEK" || p === "WEEK(MONDAY)") return `CAST(VW__DATE_TRUNC('week', ${a[0]}) AS DATE)`;
      return `CAST(VW__DATE_TRUNC('${part("DATE_TRUNC", a[1], DATE_TRUNC_PARTS, reject)}', ${a[0]}) AS DATE)`;
    },
    TIMESTAMP_TRUNC: (a) => {
      arity("TIMESTAMP_TRUNC", a, 2, 2, reject);
      return `VW__DATE_TRUNC('${part("TIMESTAMP_TRUNC", a[1], TS_TRUNC_PARTS, reject)}', ${a[0]})`;
    },
    // DuckDB DAYOFWEEK is 0 = Sunday; BigQuery is 1 = Sunday … 7 = Saturday.
    EXTRACT: (a) => {
      const m = /^(\w+)\s+FROM\s+([\s\S]+)$/i.exec(a.join(", "));
      if (!m) return reject("EXTRACT form", "write EXTRACT(part FROM value)");
      if (/\bAT\s+TIME\s+ZONE\b/i.test(m[2])) reject("EXTRACT … AT TIME ZONE", "extract in UTC");
      if (word(m[1]) === "DAYOFWEEK") return `(EXTRACT(DAYOFWEEK FROM ${m[2]}) + 1)`;
      return `EXTRACT(${part("EXTRACT", m[1], EXTRACT_PARTS, reject).toUpperCase()} FROM ${m[2]})`;
    },
    // DuckDB has no LIMIT inside aggregates: slice the ordered list instead.
    ARRAY_AGG: (a) => {
      const limited = a.length === 1 ? splitLimit(a[0]) : undefined;
      if (!limited) return `ARRAY_AGG(${a.join(", ")})`;
      return `VW__LIST_SLICE(ARRAY_AGG(${limited[0].trim()}), 1, ${limited[1].trim()})`;
    },
    // DuckDB concat() skips NULLs; BigQuery CONCAT returns NULL if any argument is NULL (as || does).
    CONCAT: (a) => `(${a.join(" || ")})`,
    // polyglot translates it only in some positions (not inside ARRAY_LENGTH); default step is a day.
    GENERATE_DATE_ARRAY: (a) => (arity("GENERATE_DATE_ARRAY", a, 2, 3, reject), `VW__GENERATE_DATE_ARRAY(${a[0]}, ${a[1]}, ${a[2] ?? "INTERVAL 1 DAY"})`),
    // BigQuery's TIMESTAMP is an instant: DuckDB's TIMESTAMPTZ. Left alone, polyglot gives DuckDB's
    // naive TIMESTAMP (BigQuery's DATETIME) for these, so the column types would differ.
    PARSE_TIMESTAMP: (a) => (arity("PARSE_TIMESTAMP", a, 2, 2, reject), `VW__TIMESTAMPTZ(PARSE_TIMESTAMP(${a.join(", ")}))`),
    CAST: (a) => timestampCast("CAST", a),
    SAFE_CAST: (a) => timestampCast("SAFE_CAST", a),
  };
}

function timestampCast(name: "CAST" | "SAFE_CAST", a: string[]): string {
  const m = a.length === 1 ? /^([\s\S]+)\s+AS\s+TIMESTAMP$/i.exec(a[0].trim()) : null;
  if (!m) return `${name}(${a.join(", ")})`;
  return name === "CAST" ? `VW__TIMESTAMPTZ(${m[1]})` : `VW__TRY_TIMESTAMPTZ(${m[1]})`;
}

function dateArith(name: string, a: string[], reject: Reject): string {
  arity(name, a, 2, 2, reject);
  const m = /^INTERVAL\s+([\s\S]+)\s+(\w+)$/i.exec(a[1]);
  if (!m) return reject(`${name} without an INTERVAL literal`, `write ${name}(date, INTERVAL n DAY)`);
  const p = part(name, m[2], DATE_ADD_PARTS, reject);
  return `CAST(${name}(${a[0]}, INTERVAL ${m[1]} ${p.toUpperCase()}) AS DATE)`;
}

/**
 * Only `dataset.INFORMATION_SCHEMA.COLUMNS`: the dataset belongs to the default project, as in a
 * two-part table name. A project or region qualifier is refused: which DuckDB schemas it covers
 * depends on the default project, which the rewrite cannot see.
 */
function informationSchema(parts: string[], reject: Reject): string {
  const [dataset, schema, view, ...rest] = parts.map(unquote);
  const name = parts.join(".");
  const advice = "dataset.INFORMATION_SCHEMA.COLUMNS (a dataset of the default project)";
  if (rest.length || view === undefined || schema.toUpperCase() !== "INFORMATION_SCHEMA") reject(`INFORMATION_SCHEMA name ${name}`, advice);
  if (/^region-/i.test(dataset)) reject(`region-qualified ${name}`, advice);
  if (view.toUpperCase() !== "COLUMNS") reject(`INFORMATION_SCHEMA.${view.toUpperCase()}`, "INFORMATION_SCHEMA.COLUMNS, the only view available locally");
  if (!/^\w+$/.test(dataset)) reject(`INFORMATION_SCHEMA name ${name}`, advice);
  return `VW__INFORMATION_SCHEMA_COLUMNS('${dataset}')`;
}

/** DuckDB type names → BigQuery's; NUMERIC is the translator's DECIMAL(38, 9); other types have no faithful name (NULL). */
const BIGQUERY_TYPE_NAMES: [string, string][] = [...DUCKDB_NAMES_TO_BIGQUERY, ["DECIMAL(38,9)", "NUMERIC"]];

export const postRules: Record<string, CallRule> = {
  // BigQuery's COLUMNS view for one dataset: the columns DuckDB can give faithfully (no table_catalog,
  // which would be the project; no partitioning or clustering columns, which DuckDB does not have).
  // An array column is REPEATED in BigQuery, a mode that does not allow NULL: is_nullable 'NO'.
  VW__INFORMATION_SCHEMA_COLUMNS: (a) => `(SELECT c.table_schema, c.table_name, c.column_name, CAST(c.ordinal_position AS BIGINT) AS ordinal_position,
    CASE WHEN c.data_type LIKE '%[]' THEN 'NO' ELSE c.is_nullable END AS is_nullable,
    CASE WHEN c.data_type LIKE '%[]' THEN 'ARRAY<' || m.bq || '>' ELSE m.bq END AS data_type
    FROM information_schema.columns AS c
    LEFT JOIN (VALUES ${BIGQUERY_TYPE_NAMES.map(([d, b]) => `('${d}', '${b}')`).join(", ")}) AS m(duck, bq)
      ON m.duck = regexp_replace(c.data_type, '\\[\\]$', '')
    WHERE c.table_catalog = current_database() AND c.table_schema = ${a[0]})`,
  VW__REGEXP_MATCHES: (a) => `regexp_matches(${a[0]}, ${a[1]})`,
  VW__REGEXP_EXTRACT: (a) => `CASE WHEN regexp_matches(${a[0]}, ${a[1]}) THEN regexp_extract(${a[0]}, ${a[1]}, ${a[2]}) END`,
  VW__JSON_VALUE: (a) =>
    `CASE WHEN json_type(${a[0]}, ${a[1]}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${a[0]}, ${a[1]}) END`,
  VW__DATE_SUB: (a) => `date_sub(${a.join(", ")})`,
  VW__DATE_DIFF: (a) => `date_diff(${a.join(", ")})`,
  VW__DATE_TRUNC: (a) => `date_trunc(${a.join(", ")})`,
  // Sunday-based week: the Monday week of the next day, minus one day.
  VW__WEEK_START: (a) => `(CAST(date_trunc('week', CAST(${a[0]} AS DATE) + 1) AS DATE) - 1)`,
  VW__GENERATE_DATE_ARRAY: (a) => `CAST(generate_series(CAST(${a[0]} AS DATE), CAST(${a[1]} AS DATE), ${a[2]}) AS DATE[])`,
  VW__LIST_SLICE: (a) => `list_slice(${a.join(", ")})`,
  VW__TIMESTAMPTZ: (a) => `CAST(${a[0]} AS TIMESTAMPTZ)`,
  VW__TRY_TIMESTAMPTZ: (a) => `TRY_CAST(${a[0]} AS TIMESTAMPTZ)`,
};
