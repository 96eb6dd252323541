/**
 * Where ZetaSQL (as shipped in @fivetrandevelopers/zetasql 1.13) and BigQuery disagree, and what
 * `vwatch validate` does about it. Each entry was measured; docs/validate.md lists them for users.
 *
 * 0. Language features BigQuery has that ZetaSQL's "maximum" set leaves out as in development
 *    are enabled (BIGQUERY_FEATURES).
 * 1. BigQuery functions ZetaSQL lacks are added to the catalog with BigQuery's signatures, so
 *    calls to them are still checked (argument types, result type) instead of failing. (A custom
 *    function named like a builtin crashes the server: see CatalogState.)
 * 2. BigQuery system variables (@@project_id, …) are declared with their types, and every
 *    dataset gets BigQuery's INFORMATION_SCHEMA.COLUMNS view (other INFORMATION_SCHEMA views are
 *    not in the catalog: statements reading them are not validated).
 * 3. Errors that only mean "ZetaSQL does not know this BigQuery feature" (or "this object is not in
 *    the offline catalog") do not fail validation: the statement is reported as not validated,
 *    with the reason (UNKNOWN_TO_ZETASQL, NEWER_SYNTAX).
 * QUALIFY is a reserved keyword in the language options, as in BigQuery; ZetaSQL then accepts
 * QUALIFY without WHERE, GROUP BY or HAVING (unreserved, it rejects it).
 */
import type { TypeProto } from "./bigquery-types";

/**
 * Language features BigQuery has, beyond GetLanguageOptions' maximum set: INTERVAL and collation
 * (TECH-NOTES), ALTER VIEW … ALTER COLUMN SET OPTIONS (the planner's view column descriptions),
 * DATE/DATETIME/TIMESTAMP_BUCKET, GROUPING SETS and GROUPING(), COT/CSC/SEC…, UNION … CORRESPONDING,
 * LIKE ANY UNNEST(…).
 */
export const BIGQUERY_FEATURES = [
  "FEATURE_INTERVAL_TYPE",
  "FEATURE_V_1_3_COLLATION_SUPPORT",
  "FEATURE_V_1_4_COLLATION_IN_WITH_RECURSIVE",
  "FEATURE_V_1_4_COLLATION_IN_EXPLICIT_CAST",
  "FEATURE_ALTER_VIEWS_ALTER_COLUMN_SET_OPTIONS",
  "FEATURE_TIME_BUCKET_FUNCTIONS",
  "FEATURE_V_1_4_GROUPING_BUILTIN",
  "FEATURE_V_1_4_GROUPING_SETS",
  "FEATURE_INVERSE_TRIG_FUNCTIONS",
  "FEATURE_V_1_4_CORRESPONDING",
  "FEATURE_V_1_4_CORRESPONDING_BY",
  "FEATURE_V_1_4_LIKE_ANY_SOME_ALL_ARRAY",
];

const T = (typeKind: string): TypeProto => ({ typeKind });
const ARRAY = (element: TypeProto): TypeProto => ({ typeKind: "TYPE_ARRAY", arrayType: { elementType: element } });

type Arg = Record<string, unknown>;
const fixed = (type: TypeProto): Arg => ({ kind: "ARG_TYPE_FIXED", type, numOccurrences: 1 });
const any1: Arg = { kind: "ARG_TYPE_ANY_1", numOccurrences: 1 };
const any2: Arg = { kind: "ARG_TYPE_ANY_2", numOccurrences: 1 };
const optional = (a: Arg): Arg => ({ ...a, options: { cardinality: "OPTIONAL" } });
const named = (a: Arg, name: string): Arg => ({ ...a, options: { cardinality: "OPTIONAL", argumentName: name, namedArgumentKind: "NAMED_ONLY" } });

function fn(name: string, mode: "SCALAR" | "AGGREGATE", signatures: [Arg[], Arg][]): unknown {
  return {
    namePath: [name],
    // The builtin group keeps error messages as ZetaSQL words them for its own functions.
    group: "ZetaSQL",
    mode,
    signature: signatures.map(([argument, returnType], i) => ({ argument, returnType, contextId: String(i) })),
  };
}

const STRING = T("TYPE_STRING");
const BYTES = T("TYPE_BYTES");
const INT64 = T("TYPE_INT64");
const FLOAT64 = T("TYPE_DOUBLE");

/** BigQuery functions missing from ZetaSQL's builtins, with BigQuery's documented signatures. */
export const BIGQUERY_FUNCTIONS: unknown[] = [
  fn("CONTAINS_SUBSTR", "SCALAR", [[[any1, fixed(STRING), named(fixed(STRING), "json_scope")], fixed(T("TYPE_BOOL"))]]),
  fn("JSON_KEYS", "SCALAR", [[[fixed(T("TYPE_JSON")), optional(fixed(INT64)), named(fixed(STRING), "mode")], fixed(ARRAY(STRING))]]),
  fn("EDIT_DISTANCE", "SCALAR", [
    [[fixed(STRING), fixed(STRING), named(fixed(INT64), "max_distance")], fixed(INT64)],
    [[fixed(BYTES), fixed(BYTES), named(fixed(INT64), "max_distance")], fixed(INT64)],
  ]),
  ...["COSINE_DISTANCE", "EUCLIDEAN_DISTANCE"].map((name) =>
    fn(name, "SCALAR", [
      [[fixed(ARRAY(FLOAT64)), fixed(ARRAY(FLOAT64))], fixed(FLOAT64)],
      [[fixed(ARRAY(INT64)), fixed(ARRAY(INT64))], fixed(FLOAT64)],
    ]),
  ),
  fn("MAX_BY", "AGGREGATE", [[[any1, any2], any1]]),
  fn("MIN_BY", "AGGREGATE", [[[any1, any2], any1]]),
];

/** BigQuery's system variables (scripting reference), for AnalyzerOptions.systemVariables. */
export const SYSTEM_VARIABLES: { namePath: string[]; type: TypeProto }[] = [
  ...["current_job_id", "dataset_id", "dataset_project_id", "last_job_id", "location", "project_id", "query_label", "reservation", "session_id", "time_zone"].map((n) => ({
    namePath: [n],
    type: STRING,
  })),
  { namePath: ["row_count"], type: INT64 },
  { namePath: ["script", "bytes_billed"], type: INT64 },
  { namePath: ["script", "bytes_processed"], type: INT64 },
  { namePath: ["script", "creation_time"], type: T("TYPE_TIMESTAMP") },
  { namePath: ["script", "job_id"], type: STRING },
  { namePath: ["script", "num_child_jobs"], type: INT64 },
  { namePath: ["script", "slot_ms"], type: INT64 },
  { namePath: ["error", "message"], type: STRING },
  { namePath: ["error", "statement_text"], type: STRING },
  { namePath: ["error", "formatted_stack_trace"], type: STRING },
  {
    namePath: ["error", "stack_trace"],
    type: ARRAY({
      typeKind: "TYPE_STRUCT",
      structType: { field: [{ fieldName: "line", fieldType: INT64 }, { fieldName: "column", fieldType: INT64 }, { fieldName: "filename", fieldType: STRING }, { fieldName: "location", fieldType: STRING }] },
    }),
  },
];

/** Columns of a dataset's INFORMATION_SCHEMA.COLUMNS view, as BigQuery documents them. */
export const INFORMATION_SCHEMA_COLUMNS: { name: string; type: TypeProto }[] = [
  ...["table_catalog", "table_schema", "table_name", "column_name"].map((name) => ({ name, type: STRING })),
  { name: "ordinal_position", type: INT64 },
  ...["is_nullable", "data_type", "is_generated", "generation_expression", "is_stored", "is_hidden", "is_updatable", "is_system_defined", "is_partitioning_column"].map((name) => ({
    name,
    type: STRING,
  })),
  { name: "clustering_ordinal_position", type: INT64 },
  ...["collation_name", "column_default", "rounding_mode"].map((name) => ({ name, type: STRING })),
  { name: "policy_tags", type: ARRAY(STRING) },
];

/** BigQuery features ZetaSQL does not know; a statement using them is not validated. */
const UNKNOWN_TO_ZETASQL: { pattern: RegExp; reason: (m: RegExpExecArray) => string }[] = [
  {
    pattern: /^Table not found: .*INFORMATION_SCHEMA/i,
    reason: () => "INFORMATION_SCHEMA views are not in the offline catalog",
  },
  {
    pattern: /^Function not found: `?(SEARCH|VECTOR_SEARCH|GAP_FILL|RANGE_SESSIONIZE|EXTERNAL_OBJECT_TRANSFORM|APPENDS|CHANGES)`?\b/i,
    reason: (m) => `ZetaSQL lacks BigQuery's ${m[1].toUpperCase()}`,
  },
  {
    pattern: /^(?:Table-valued function|Function) not found: `?((?:ML|AI|OBJ|KEYS|VECTOR)\.[A-Za-z_]+)/i,
    reason: (m) => `ZetaSQL lacks BigQuery's ${m[1].toUpperCase()}`,
  },
  {
    pattern: /^Procedure not found: `?([^`\s]+)/i,
    reason: (m) => `procedure ${m[1]} is not in the offline catalog`,
  },
  {
    pattern: /^Table-valued function not found: `?(VECTOR_SEARCH|GAP_FILL|RANGE_SESSIONIZE|APPENDS|CHANGES|EXTERNAL_OBJECT_TRANSFORM)\b/i,
    reason: (m) => `ZetaSQL lacks BigQuery's ${m[1].toUpperCase()}`,
  },
];

/** BigQuery syntax this ZetaSQL does not parse, by what the statement says where the error is. */
const NEWER_SYNTAX: { message: RegExp; at: RegExp; reason: string }[] = [
  { message: /^GROUP BY ALL is not supported/, at: /^/, reason: "the bundled ZetaSQL lacks GROUP BY ALL" },
  { message: /^Syntax error/, at: /^\|>/, reason: "the bundled ZetaSQL lacks pipe syntax (|>)" },
  { message: /^Syntax error/, at: /^by\s+name\b/i, reason: "the bundled ZetaSQL lacks set operations BY NAME" },
];

/**
 * Why an analysis error is ZetaSQL not knowing a BigQuery feature, or undefined for a real error.
 * `at` is the statement's text from the error's position on.
 */
export function unknownToZetaSql(message: string, at = ""): string | undefined {
  for (const { pattern, reason } of UNKNOWN_TO_ZETASQL) {
    const m = pattern.exec(message);
    if (m) return reason(m);
  }
  return NEWER_SYNTAX.find((n) => n.message.test(message) && n.at.test(at))?.reason;
}
