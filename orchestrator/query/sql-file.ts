import * as fs from "fs";
import * as path from "path";
import type { CompiledGraph, Target } from "../compile/graph";
import { ConfigError } from "../errors";
import { bigqueryTableName } from "../sql/names";

/**
 * The hand-written queries' SQL lives in `queries/*.sql` (see queries/README.md), in BigQuery SQL
 * with named @parameters. A file is filled before it runs, never with user input:
 * - its leading comment block documents it and is not sent;
 * - `${ref("table")}` becomes the table's BigQuery name in the compiled project;
 * - a line that is only `${include("other")}` becomes queries/other.sql, at that indent;
 * - a line ending in `-- if NAME`, `-- if not NAME` or `-- if NAME = VALUE` is kept only when the
 *   command's switch NAME says so (a switch is set by code: an option given or not, a bucket
 *   from a fixed list), without the marker.
 */
export const QUERIES_DIR = path.join(__dirname, "..", "..", "queries");

/** The BigQuery name (`project.dataset.table`) of a table, or undefined when the command does not know it. */
export type TableNames = (name: string) => string | undefined;

export interface QueryFill {
  /** A lookup, or the names by table (as `AppTables`). */
  tables: TableNames | Readonly<Record<string, string>>;
  /** The switches the file's `-- if` lines test; each one the file names must be set here. */
  when?: Record<string, boolean | string>;
}

const IF = /\s*--\s*if\s+(not\s+)?(\w+)(?:\s*=\s*(\w+))?\s*$/;
const INCLUDE = /^(\s*)\$\{include\("([\w-]+)"\)\}\s*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const REF = /^ref\("(\w+)"\)$/;

const bodies = new Map<string, string>();

/** The file's SQL with its header left out and its includes in place; read once per process. */
function body(name: string, including: string[] = []): string {
  const cached = bodies.get(name);
  if (cached !== undefined) return cached;
  if (including.includes(name)) throw new ConfigError(`queries/${name}.sql includes itself (${[...including, name].join(" → ")})`);
  const file = path.join(QUERIES_DIR, `${name}.sql`);
  if (!fs.existsSync(file)) throw new ConfigError(`queries/${name}.sql is missing`);
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("--"));
  const sql = lines
    .slice(start < 0 ? lines.length : start)
    .flatMap((line) => {
      const m = INCLUDE.exec(line);
      return m ? body(m[2], [...including, name]).split("\n").map((l) => m[1] + l) : [line];
    })
    .join("\n")
    .trimEnd();
  bodies.set(name, sql);
  return sql;
}

/** queries/NAME.sql, filled for one run: its switches applied and its tables named. */
export function querySql(name: string, fill: QueryFill): string {
  return fillSql(`queries/${name}.sql`, body(name), fill);
}

/** Applies the `-- if` lines and names the tables of a query file's SQL (`file` names it in errors). */
export function fillSql(file: string, sql: string, fill: QueryFill): string {
  const when = fill.when ?? {};
  const kept: string[] = [];
  for (const line of sql.split("\n")) {
    const m = IF.exec(line);
    if (!m) {
      kept.push(line);
      continue;
    }
    const [, negated, key, value] = m;
    if (!Object.hasOwn(when, key)) throw new ConfigError(`${file}: "-- if ${key}" tests a switch the command does not set (it sets: ${Object.keys(when).join(", ") || "none"})`);
    const holds = value === undefined ? Boolean(when[key]) : String(when[key]) === value;
    if (holds !== Boolean(negated)) kept.push(line.slice(0, m.index));
  }
  return kept.join("\n").replace(PLACEHOLDER, (text, inner: string) => {
    const table = REF.exec(inner.trim())?.[1];
    if (!table) throw new ConfigError(`${file}: ${text} is not a table reference; write \${ref("table_name")}`);
    const tables = fill.tables;
    const resolved = typeof tables === "function" ? tables(table) : Object.hasOwn(tables, table) ? tables[table] : undefined;
    if (!resolved) throw new ConfigError(`${file} reads ${text}, which the compiled project does not define or this command does not read`);
    return resolved;
  });
}

/**
 * Table names from the compiled project (a model, a declaration or an operation's output), so a
 * project with another dataset or project still finds them; a name in several datasets is taken
 * from the default dataset.
 */
export function projectTables(graph: CompiledGraph): TableNames {
  const cfg = graph.projectConfig;
  const targets: Target[] = [...(graph.tables ?? []), ...(graph.declarations ?? []), ...(graph.operations ?? [])].map((a) => a.target);
  return (name) => {
    const found = targets.filter((t) => t.name === name);
    const target = found.find((t) => (t.schema || cfg.defaultSchema) === cfg.defaultSchema) ?? found[0];
    return target && bigqueryTableName(target, cfg);
  };
}
