/**
 * Values and types as BigQuery's REST API writes them, for the fake: schema fields in the API's
 * vocabulary (INTEGER, FLOAT, BOOLEAN, RECORD; orchestrator/sql/types.ts), rows in f/v form, and
 * query parameters turned into casts of their text (the API sends every value as a string).
 */
import { DuckDBArrayType, DuckDBListType, DuckDBStructType, type DuckDBType } from "@duckdb/node-api";
import { lex } from "../../orchestrator/sql/lexer";
import { duckdbToBigQuery, restName, standardName } from "../../orchestrator/sql/types";

export interface FakeField {
  name: string;
  type: string;
  mode?: "NULLABLE" | "REQUIRED" | "REPEATED";
  fields?: FakeField[];
  description?: string;
}

/** An error a job ends with, in BigQuery's terms (reason: invalidQuery, notFound, duplicate, invalid). */
export class JobError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly location = "query",
  ) {
    super(message);
  }

  /** The HTTP status the API answers a synchronous request failing this way with. */
  get httpStatus(): number {
    return this.reason === "notFound" ? 404 : this.reason === "duplicate" ? 409 : 400;
  }
}

/** A column of a DuckDB result as a BigQuery schema field. */
export function fieldOf(name: string, type: DuckDBType): FakeField {
  if (type instanceof DuckDBListType || type instanceof DuckDBArrayType) return { ...fieldOf(name, type.valueType), mode: "REPEATED" };
  if (type instanceof DuckDBStructType) {
    return { name, type: "RECORD", mode: "NULLABLE", fields: type.entryNames.map((n, i) => fieldOf(n, type.entryTypes[i])) };
  }
  // JSON is VARCHAR under an alias in DuckDB.
  return { name, type: restName(duckdbToBigQuery(type.alias ?? type.toString())), mode: "NULLABLE" };
}

/** A row as BigQuery's REST API writes it: strings for scalars, {f} for records, [{v}] for arrays. */
export function toFv(schema: FakeField[], row: Record<string, unknown> | unknown[], int64Timestamps: boolean): any {
  const values = Array.isArray(row) ? row : schema.map((f) => row[f.name]);
  return { f: schema.map((field, i) => ({ v: cell(field, values[i], int64Timestamps) })) };
}

function cell(field: FakeField, value: unknown, int64Timestamps: boolean): any {
  if (value === null || value === undefined) return field.mode === "REPEATED" ? [] : null;
  if (field.mode === "REPEATED") {
    return (value as unknown[]).map((v) => ({ v: cell({ ...field, mode: "NULLABLE" }, v, int64Timestamps) }));
  }
  const type = standardName(field.type);
  if (type === "STRUCT") return toFv(field.fields ?? [], value as Record<string, unknown>, int64Timestamps);
  if (type === "TIMESTAMP") {
    const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
    return int64Timestamps ? String(ms * 1000) : String(ms / 1000);
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A query parameter as the API carries it (parameterMode NAMED). */
export interface QueryParameter {
  name?: string;
  parameterType?: { type?: string; arrayType?: unknown; structTypes?: unknown };
  parameterValue?: { value?: string | null; arrayValues?: unknown };
}

const SCALAR_PARAMETER_TYPES = new Set(["INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "STRING", "BYTES", "DATE", "DATETIME", "TIME", "TIMESTAMP", "JSON"]);

/**
 * Named parameters checked as BigQuery checks them, then bound as text: each `@name` in the SQL
 * becomes `cast(@name as TYPE)`, so the value means what its declared type says. Returns the SQL
 * and the values by name.
 */
export function bindParameters(sql: string, mode: string | undefined, parameters: QueryParameter[] | undefined): { sql: string; values: Record<string, string | null> } {
  const list = parameters ?? [];
  mode = mode?.toUpperCase();
  if (list.length && mode !== "NAMED") throw new JobError("invalid", mode === "POSITIONAL" ? "The fake supports named parameters only" : "Query parameters require parameterMode NAMED or POSITIONAL");
  const types = new Map<string, string>();
  const values: Record<string, string | null> = {};
  for (const p of list) {
    if (!p.name) throw new JobError("invalid", "Named query parameters must have a name");
    const type = p.parameterType?.type && standardName(p.parameterType.type);
    if (!type) throw new JobError("invalid", `Query parameter '${p.name}' has no type`);
    if (!SCALAR_PARAMETER_TYPES.has(type)) throw new JobError("invalid", `The fake supports scalar query parameters only; '${p.name}' is ${type}`);
    if (types.has(p.name.toLowerCase())) throw new JobError("invalid", `Duplicate query parameter name: ${p.name}`);
    types.set(p.name.toLowerCase(), type);
    const value = p.parameterValue?.value;
    values[p.name] = value === undefined || value === null ? null : String(value);
  }
  const out = lex(sql, "bigquery").map((t) => {
    if (t.kind !== "param" || t.text.startsWith("@@")) return t.text;
    const type = types.get(t.text.slice(1).toLowerCase());
    if (!type) throw new JobError("invalidQuery", `Query parameter '${t.text.slice(1)}' not found`);
    return `cast(${t.text} as ${type})`;
  });
  return { sql: out.join(""), values };
}

/** A value read back from DuckDB as a BigQuery literal of its field's type (script variables). */
export function literal(value: unknown, field: FakeField): string {
  if (value === null || value === undefined) return `cast(null as ${standardName(field.type)})`;
  const type = standardName(field.type);
  const text = String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return `cast('${text}' as ${type})`;
}
