import * as fs from "fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError } from "../errors";
import { duckdbString, quoteIdent } from "../sql/duckdb-names";
import { forEachLine, type Materialized } from "./decompress";
import { duckdbType } from "../sql/types";
import { GDELT_TABLES, PARTITION_COLUMN, isGdeltTime, type FileTime, type GdeltColumn, type GdeltKind, type GdeltTable } from "./gdelt-schema";

/**
 * Reads one GDELT file (already plain) as text into temp.vwatch_stage and checks every row:
 * the column count, the typed columns, NUL bytes, and that each row carries the time in the
 * file's name. Any problem is an InputError naming the file, line and column, and what the file
 * looks like when its column count is another kind's.
 */
export interface StageInput {
  /** The file as given, for messages. */
  file: string;
  content: Materialized;
  table: GdeltTable;
  time: FileTime;
  /** The kind came from --kind, not from the file's name. */
  forcedKind: boolean;
}

const NOT_LOADED = "the file was not loaded";
const OTHER: Record<GdeltKind, GdeltKind> = { events: "mentions", mentions: "events" };
const kindName = (kind: GdeltKind) => (kind === "events" ? "an events (export)" : "a mentions");

/** Stages and checks the file; returns its row count. */
export async function stage(db: DuckDBConnection, input: StageInput): Promise<number> {
  const { file, content, table } = input;
  // A file of the other kind (or no GDELT file at all) shows on its first line: say so at once
  // rather than have DuckDB's reader reject every line, which takes long.
  const first = firstLine(content.path);
  if (first && first.columns !== table.columns.length) throw new InputError(`${file} line ${first.line}${columnsProblem(input, first.columns)}; ${NOT_LOADED}`);
  const columns = table.columns.map((c) => `${duckdbString(c.name)}: 'VARCHAR'`).join(", ");
  await db.run("drop table if exists temp.vwatch_rejects");
  await db.run("drop table if exists temp.vwatch_reject_scans");
  try {
    await db.run(
      `create or replace temp table vwatch_stage as select *, ${firstBadColumn(table, input)} as vwatch_bad from read_csv(${duckdbString(content.path)}, ` +
        `delim = '\t', header = false, quote = '', escape = '', auto_detect = false, columns = {${columns}}, ` +
        `store_rejects = true, rejects_table = 'vwatch_rejects', rejects_scan = 'vwatch_reject_scans')`,
    );
  } catch (e) {
    const message = (e as Error).message;
    // A failing disk or temp folder is not the file's fault: let the loader report it as such.
    if (/^IO Error|No space left on device/i.test(message)) throw e;
    throw new InputError(`${file}: not a readable GDELT ${table.kind} file: ${message.split("\n")[0]}`, { cause: e });
  }
  const rejects = await db.runAndReadAll(`select line, column_name, error_type, error_message from temp.vwatch_rejects order by line limit 1`);
  if (rejects.currentRowCount > 0) {
    const [line, column, type, message] = rejects.getRows()[0] as [bigint, string | null, string, string];
    throw new InputError(`${file} line ${line}${await rejectProblem(input, Number(line), column, type, message)}; ${NOT_LOADED}`);
  }
  const bad = await db.runAndReadAll(`select rowid, vwatch_bad from vwatch_stage where vwatch_bad is not null order by rowid limit 1`);
  if (bad.currentRowCount > 0) {
    const [rowid, column] = bad.getRows()[0] as [bigint, string];
    const value = (await db.runAndReadAll(`select ${quoteIdent(column)} from vwatch_stage where rowid = ${rowid}`)).getRows()[0][0];
    const position = table.columns.findIndex((c) => c.name === column) + 1;
    const line = await physicalLine(content.path, Number(rowid));
    const problem = describeProblem(table.columns[position - 1], value as string | null, table.partitionFrom === column ? input.time : undefined);
    throw new InputError(`${file} line ${line}, column ${column} (${position}): ${problem}; ${NOT_LOADED}`);
  }
  const count = Number((await db.runAndReadAll(`select count(*) from vwatch_stage`)).getRows()[0][0]);
  if (count === 0) throw new InputError(`${file}: holds no rows, only empty lines; download it again`);
  return count;
}

/** What a line DuckDB's CSV reader rejected has wrong, after "FILE line N". */
async function rejectProblem(input: StageInput, line: number, column: string | null, type: string, message: string): Promise<string> {
  const { table, content } = input;
  if (type === "TOO MANY COLUMNS" || type === "MISSING COLUMNS") return columnsProblem(input, await columnCount(content.path, line));
  const size = /Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes/.exec(message);
  if (size) {
    return (
      `: longer than the ${size[1]}-byte limit for a line (${size[2]} bytes); GDELT lines are a few hundred bytes, ` +
      `so this is not ${kindName(table.kind)} file or its line breaks are missing`
    );
  }
  const at = column ? `, column ${column} (${table.columns.findIndex((c) => c.name === column) + 1})` : "";
  if (type === "INVALID ENCODING") return `${at}: not valid UTF-8 text (GDELT files are UTF-8)`;
  return `${at}: ${message}`;
}

/** A line with `found` columns, after "FILE line N". */
function columnsProblem({ table, forcedKind }: StageInput, found: number): string {
  const expected = table.columns.length;
  let text = `: ${found} columns, but ${kindName(table.kind)} line has ${expected}`;
  const other = OTHER[table.kind];
  if (found === GDELT_TABLES[other].columns.length) {
    text += `; it looks like ${kindName(other)} file: ${forcedKind ? "drop --kind to take the kind from the file's name" : "is it named right?"}`;
  } else if (found < expected) {
    text += `; the first missing is ${table.columns[found].name} (column ${found + 1})`;
  }
  return text;
}

/** The first non-empty line's number and column count, when it ends within the first MiB. */
function firstLine(csvPath: string): { line: number; columns: number } | undefined {
  const head = Buffer.alloc(1 << 20);
  const fd = fs.openSync(csvPath, "r");
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const lines = head.subarray(0, n).toString("utf8").split("\n");
  for (let i = 0; i < lines.length - 1; i++) {
    const text = lines[i].replace(/\r$/, "");
    if (text !== "") return { line: i + 1, columns: text.split("\t").length };
  }
  return undefined;
}

/** Tab-separated fields on a 1-based physical line. */
async function columnCount(csvPath: string, line: number): Promise<number> {
  let n = 0;
  let found = 0;
  await forEachLine(csvPath, (text) => {
    if (++n === line) found = text.split("\t").length;
  });
  return found;
}

const FLOAT = "[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?";

function validity(c: GdeltColumn, nul: boolean, time: FileTime | undefined): string {
  const col = quoteIdent(c.name);
  const checks: string[] = [];
  // Only when the file holds a NUL byte at all: PostgreSQL cannot store one in text (22021).
  if (nul) checks.push(`not contains(${col}, chr(0))`);
  // Round trips are strict (DuckDB's own casts accept "1.5", " 12", "0x10" or "1e3" as integers).
  if (c.timestamp) checks.push(`strftime(try_strptime(${col}, '%Y%m%d%H%M%S'), '%Y%m%d%H%M%S') = ${col}`);
  else if (c.type === "INT64") checks.push(`regexp_full_match(${col}, '-?[0-9]{1,18}')`);
  else if (c.type === "FLOAT64") checks.push(`regexp_full_match(${col}, '${FLOAT}')`);
  // Every row carries the time in its file's name, so a file's rows can be told apart.
  if (time) checks.push(`${col} between ${duckdbString(time.first)} and ${duckdbString(time.last)}`);
  if (checks.length === 0 && !c.required) return "true";
  // coalesce: a NULL from a failed try_strptime must count as invalid, not slip through CASE.
  const valid = `coalesce(${checks.join(" and ") || "true"}, false)`;
  return c.required ? `(${col} is not null and ${valid})` : `(${col} is null or ${valid})`;
}

/** A SQL expression naming the first invalid column of a staged row, or null. */
function firstBadColumn(table: GdeltTable, input: StageInput): string {
  const whens = table.columns
    .map((c) => ({ c, test: validity(c, input.content.hasNul, c.name === table.partitionFrom ? input.time : undefined) }))
    .filter((x) => x.test !== "true")
    .map((x) => `when not ${x.test} then ${duckdbString(x.c.name)}`);
  return `case ${whens.join(" ")} end`;
}

function describeProblem(c: GdeltColumn, value: string | null, time: FileTime | undefined): string {
  if (value === null) return "empty, but every row needs a value here";
  if (value.includes("\0")) return "contains a NUL byte (0x00), which PostgreSQL cannot store in text";
  const shown = JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (c.timestamp && time && isGdeltTime(value)) {
    return time.first === time.last
      ? `${value}, but the file's name says ${time.label}; GDELT stamps every row of a file with the time in its name (was the file renamed?)`
      : `${value} is not on ${time.label}, the day the file's name says (was the file renamed?)`;
  }
  if (c.timestamp) return `expected a YYYYMMDDHHMMSS timestamp, got ${shown}`;
  return `expected ${c.type === "INT64" ? "an integer" : "a number"}, got ${shown}`;
}

/** The typed columns of a staged row, as the GDELT table holds them. */
export function typedSelect(table: GdeltTable): string {
  const cols = table.columns.map((c) => {
    const col = quoteIdent(c.name);
    return c.type === "STRING" ? col : `cast(${col} as ${duckdbType(c.type)}) as ${col}`;
  });
  // The UTC day of the row's timestamp, as BigQuery's ingestion partitions hold it.
  const from = quoteIdent(table.partitionFrom);
  cols.push(`timezone('UTC', strptime(substr(${from}, 1, 8), '%Y%m%d')) as ${quoteIdent(PARTITION_COLUMN)}`);
  return cols.join(", ");
}

/** The 1-based line of the n-th (0-based) data row; DuckDB's reader skips empty lines. */
async function physicalLine(csvPath: string, dataRow: number): Promise<number> {
  let line = 0;
  let seen = -1;
  let found = 0;
  await forEachLine(csvPath, (text) => {
    line++;
    if (found || text === "") return;
    if (++seen === dataRow) found = line;
  });
  return found || dataRow + 1;
}
