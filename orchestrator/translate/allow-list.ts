/**
 * BigQuery constructs the local DuckDB warehouse runs with BigQuery's documented results. Keys
 * are polyglot AST node kinds (lowercase) and, for generic function nodes, the BigQuery function
 * name (uppercase). Every entry has a case in test/helpers/allow-list-cases.ts, whose translation
 * test/integration/translate-duckdb.test.ts runs on DuckDB against the documented BigQuery value and
 * test/differential/constructs.test.ts against ZetaSQL's reference evaluator. Anything else is
 * rejected with UnsupportedSqlError rather than risk a silently different result.
 */
export const ALLOWED = new Set([
  // statements and query structure (JOIN, WITH, GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT and
  // window frames are clauses of these nodes, not nodes of their own)
  "select", "union", "except", "subquery", "paren", "star", "table", "column", "alias", "identifier",
  "dot", "insert", "delete", "update", "merge", "whens", "when", "tuple", "var", "create_table",
  "drop_table", "truncate",
  // literals and operators
  "literal", "boolean", "null", "interval", "eq", "neq", "lt", "lte", "gt", "gte", "and", "or", "not",
  "is_null", "like", "between", "in", "exists", "add", "sub", "mul", "div", "neg", "concat", "mod_func",
  "case", "coalesce", "cast", "safe_cast", "if_func",
  // aggregates and windows
  "count", "sum", "avg", "min", "max", "count_if", "stddev_samp", "any_value", "array_agg", "string_agg",
  "window_function", "row_number", "rank", "dense_rank", "lag", "lead", "first_value",
  // scalar functions polyglot models as node kinds of their own
  "lower", "upper", "trim", "length", "substring", "starts_with", "abs", "exp", "sqrt", "ln", "log",
  "power", "round", "safe_divide", "json_value", "parse_json", "extract", "timestamp", "array_func",
  "array_length", "subscript", "unnest",
  // generic function nodes, by BigQuery name
  "CONCAT", "GREATEST", "LEAST", "NULLIF", "REPLACE", "SPLIT", "REGEXP_CONTAINS", "REGEXP_EXTRACT",
  "DATE", "DATETIME", "DATE_ADD", "DATE_SUB", "DATE_DIFF", "DATE_TRUNC", "TIMESTAMP_TRUNC",
  "TIMESTAMP_DIFF", "FORMAT_DATE", "PARSE_DATE", "PARSE_TIMESTAMP", "UNIX_DATE", "TIMESTAMP_SECONDS",
  "CURRENT_DATE", "CURRENT_TIMESTAMP", "GENERATE_DATE_ARRAY", "GENERATE_UUID", "TO_JSON_STRING",
  "STRUCT", "ARRAY", "OFFSET", "SAFE_OFFSET", "ORDINAL",
]);

/** Advice for constructs people reach for that are known not to translate faithfully. */
export const ADVICE: Record<string, string> = {
  declare: "inline the value (scripting is not supported locally)",
  set_statement: "inline the value (scripting is not supported locally)",
  FORMAT_TIMESTAMP: "FORMAT_DATE(…, DATE(ts)) or EXTRACT",
  DATETIME_TRUNC: "TIMESTAMP_TRUNC",
  TIMESTAMP_ADD: "an explicit INTERVAL arithmetic on DATE values",
};
