/**
 * The ZetaSQL catalog BigQuery statements are analyzed against: tables (declarations and every
 * model analyzed so far), table-valued functions (EXTERNAL_QUERY), BigQuery functions ZetaSQL
 * lacks, script variables, and ZetaSQL's builtin functions. Pure: builds a SimpleCatalogProto.
 *
 * Every input is checked here first: a malformed catalog can crash the ZetaSQL server, and a
 * wrong schema would make every statement reading the table fail for the wrong reason.
 */
import { VwatchError } from "../errors";
import type { TypeProto } from "./bigquery-types";
import type { LanguageOptions } from "./zetasql-client";

export class CatalogError extends VwatchError {
  constructor(message: string) {
    super("CATALOG", message);
  }
}

export interface CatalogColumn {
  name: string;
  type: TypeProto;
  /** Readable in queries but not part of `select *` (e.g. `_PARTITIONTIME`). */
  pseudo?: boolean;
}

/** A table by its BigQuery path: [project, dataset, table] (or longer, for INFORMATION_SCHEMA views), or [name] for a script's temp table. */
export interface CatalogTable {
  path: string[];
  columns: CatalogColumn[];
}

/** A table-valued function whose result has fixed columns, called with string arguments. */
export interface CatalogTvf {
  name: string;
  /** Required STRING arguments, then optional ones. */
  stringArguments: number;
  optionalStringArguments?: number;
  columns: CatalogColumn[];
}

interface CatalogInput {
  tables: CatalogTable[];
  /** The project that `dataset.table` (two-part names) belongs to. */
  defaultProject?: string;
  tvfs?: CatalogTvf[];
  /** zetasql.FunctionProto objects (see exceptions.ts and script temp functions). */
  functions?: unknown[];
  /** Script variables (DECLARE): names readable as values of a type. */
  constants?: { name: string; type: TypeProto }[];
}

const SCALAR_KINDS = new Set([
  "TYPE_INT64",
  "TYPE_DOUBLE",
  "TYPE_NUMERIC",
  "TYPE_BIGNUMERIC",
  "TYPE_BOOL",
  "TYPE_STRING",
  "TYPE_BYTES",
  "TYPE_DATE",
  "TYPE_DATETIME",
  "TYPE_TIME",
  "TYPE_TIMESTAMP",
  "TYPE_GEOGRAPHY",
  "TYPE_JSON",
  "TYPE_INTERVAL",
]);

/** Throws CatalogError unless `t` is a complete type BigQuery has. */
function checkType(t: TypeProto, where: string): void {
  if (!t || typeof t.typeKind !== "string") throw new CatalogError(`${where}: no type`);
  if (SCALAR_KINDS.has(t.typeKind)) return;
  if (t.typeKind === "TYPE_ARRAY") {
    const element = t.arrayType?.elementType;
    if (!element || element.typeKind === "TYPE_ARRAY") throw new CatalogError(`${where}: an ARRAY needs a non-ARRAY element type`);
    return checkType(element, where);
  }
  if (t.typeKind === "TYPE_RANGE") {
    const element = t.rangeType?.elementType;
    if (!element || !["TYPE_DATE", "TYPE_DATETIME", "TYPE_TIMESTAMP"].includes(element.typeKind)) throw new CatalogError(`${where}: a RANGE holds DATE, DATETIME or TIMESTAMP`);
    return;
  }
  if (t.typeKind === "TYPE_STRUCT") {
    const fields = t.structType?.field;
    if (!Array.isArray(fields)) throw new CatalogError(`${where}: a STRUCT needs its fields`);
    fields.forEach((f, i) => checkType(f.fieldType, `${where}, field ${f.fieldName ?? i + 1}`));
    return;
  }
  throw new CatalogError(`${where}: type ${t.typeKind} is not a BigQuery type`);
}

function checkColumns(columns: CatalogColumn[], where: string): void {
  if (!Array.isArray(columns)) throw new CatalogError(`${where}: no columns`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (typeof c.name !== "string" || !c.name) throw new CatalogError(`${where}: a column has no name`);
    // BigQuery column names are case-insensitive: `a` and `A` are the same column.
    const key = c.name.toLowerCase();
    if (seen.has(key)) throw new CatalogError(`${where}: column ${c.name} appears twice`);
    seen.add(key);
    checkType(c.type, `${where}, column ${c.name}`);
  }
}

const column = (c: CatalogColumn) => ({ name: c.name, type: c.type, isPseudoColumn: Boolean(c.pseudo) });

interface CatalogNode {
  name: string;
  tables: Map<string, { name: string; column: unknown[] }>;
  children: Map<string, CatalogNode>;
}

const node = (name: string): CatalogNode => ({ name, tables: new Map(), children: new Map() });

/** Adds `table` as `name` under the catalog path `at` (case-insensitive, as ZetaSQL looks names up). */
function place(root: CatalogNode, at: string[], name: string, columns: unknown[]): void {
  let n = root;
  for (const part of at) {
    const key = part.toLowerCase();
    if (!n.children.has(key)) n.children.set(key, node(part));
    n = n.children.get(key)!;
  }
  n.tables.set(name.toLowerCase(), { name, column: columns });
}

function toProto(n: CatalogNode): Record<string, unknown> {
  return {
    name: n.name,
    table: [...n.tables.values()],
    catalog: [...n.children.values()].map(toProto),
  };
}

/**
 * A SimpleCatalogProto. Each table is reachable the ways BigQuery spells it: the single quoted
 * name `p.d.t` (what Dataform's ref() writes), `p`.`d`.`t` / p.d.t, and `d.t` for the default project.
 */
export function buildCatalog(input: CatalogInput, languageOptions: LanguageOptions): Record<string, unknown> {
  const root = node("");
  for (const t of input.tables) {
    if (!Array.isArray(t.path) || !t.path.length || t.path.some((p) => typeof p !== "string" || !p)) {
      throw new CatalogError(`a table has an invalid name ${JSON.stringify(t.path)}`);
    }
    const name = t.path.join(".");
    checkColumns(t.columns, `table ${name}`);
    const columns = t.columns.map(column);
    place(root, [], name, columns);
    if (t.path.length > 1) place(root, t.path.slice(0, -1), t.path[t.path.length - 1], columns);
    if (t.path.length > 2 && input.defaultProject && t.path[0] === input.defaultProject) {
      const rest = t.path.slice(1);
      place(root, [], rest.join("."), columns);
      place(root, rest.slice(0, -1), rest[rest.length - 1], columns);
    }
  }
  const tvfs = (input.tvfs ?? []).map((f) => {
    checkColumns(f.columns, `table function ${f.name}`);
    const arg = (optional: boolean) => ({
      kind: "ARG_TYPE_FIXED",
      type: { typeKind: "TYPE_STRING" },
      numOccurrences: 1,
      ...(optional ? { options: { cardinality: "OPTIONAL" } } : {}),
    });
    return {
      namePath: [f.name],
      type: "FIXED_OUTPUT_SCHEMA_TVF",
      signature: {
        argument: [...Array.from({ length: f.stringArguments }, () => arg(false)), ...Array.from({ length: f.optionalStringArguments ?? 0 }, () => arg(true))],
        returnType: { kind: "ARG_TYPE_RELATION", options: { relationInputSchema: { column: f.columns.map((c) => ({ name: c.name, type: c.type })) } } },
      },
    };
  });
  const constants = (input.constants ?? []).map((c) => {
    if (!c.name) throw new CatalogError("a script variable has no name");
    checkType(c.type, `variable ${c.name}`);
    // A NULL of the declared type: analysis needs the type only.
    return { namePath: [c.name], type: c.type, value: {} };
  });
  return {
    ...toProto(root),
    name: "vwatch",
    builtinFunctionOptions: { languageOptions },
    customTvf: tvfs,
    customFunction: input.functions ?? [],
    constant: constants,
  };
}
