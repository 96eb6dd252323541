/**
 * What makes the fake BigQuery execute what it receives: BigQuery SQL runs on a DuckDB database
 * (in memory, or a file the test filled, say with the GDELT loader) through the project's own
 * translator, with names mapped as the DuckDB adapter maps them (sql/duckdb-names.ts: datasets of
 * the fake's project are schemas of that name, other projects' are "project.dataset").
 *
 * BigQuery's rules it keeps: a table lives in an existing dataset of the job's location; reading a
 * table or dataset that does not exist is `notFound` with BigQuery's message; CREATE without OR
 * REPLACE of an existing table is `duplicate`; partitioning must name a DATE or TIMESTAMP column
 * and clustering at most four existing columns; parameters are typed; a connection of
 * EXTERNAL_QUERY is `project.location.id` in the job's location. What DuckDB has no use for
 * (`partition by`, `cluster by`, `options(...)`) is stripped and kept as the table's metadata,
 * which tables.get returns. Scripts run statement by statement (DECLARE/SET as literals, BEGIN …
 * END blocks flattened).
 */
import type { DuckDBResultReader } from "@duckdb/node-api";
import type { PgSink } from "../../orchestrator/postgres/connect";
import { extractExternalQueries } from "../../orchestrator/sql/external-query";
import { duckdbTableName, quoteIdent } from "../../orchestrator/sql/duckdb-names";
import { materializeExternalQueries } from "../../orchestrator/warehouse/duckdb/external-query";
import { openDuckdb, type DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";
import { toPlainRows } from "../../orchestrator/warehouse/duckdb/values";
import { Translations } from "../../orchestrator/warehouse/duckdb/translations";
import { parseAlter, parseDdl, parseName, readOptions, splitScript, statementKind, tableNames, type Name } from "./bigquery-script";
import { flatten, parseVariable, substituteVariables } from "./bigquery-variables";
import { bindParameters, fieldOf, JobError, literal, type FakeField, type QueryParameter } from "./bigquery-values";
import { TableCatalog } from "./bigquery-catalog";

export interface EngineOptions {
  projectId: string;
  location: string;
  /** A DuckDB file to serve (its schemas become datasets); default an in-memory database. */
  file?: string;
  /** The PostgreSQL EXTERNAL_QUERY reads, for any connection id. */
  postgres?: () => Promise<PgSink>;
}

export interface QueryRequest {
  sql: string;
  dryRun?: boolean;
  location: string;
  parameterMode?: string;
  queryParameters?: QueryParameter[];
}

export interface QueryOutcome {
  statementType: string;
  fields: FakeField[];
  rows: Record<string, unknown>[];
  numDmlAffectedRows?: number;
  bytes: number;
  ddlOperationPerformed?: string;
  ddlTargetTable?: { projectId: string; datasetId: string; tableId: string };
}

export class FakeEngine {
  private readonly translations = new Translations(undefined);

  private constructor(
    readonly db: DuckdbWarehouse,
    readonly catalog: TableCatalog,
    private readonly opts: EngineOptions,
  ) {}

  static async open(opts: EngineOptions): Promise<FakeEngine> {
    const db = await openDuckdb(opts.file ?? ":memory:", { defaultDatabase: opts.projectId });
    const catalog = new TableCatalog(db, opts.projectId, opts.location);
    await catalog.discover();
    return new FakeEngine(db, catalog, opts);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Runs a query job's SQL (a statement or a script); throws JobError. */
  async run(request: QueryRequest): Promise<QueryOutcome> {
    const bound = bindParameters(request.sql, request.parameterMode, request.queryParameters);
    const statements = flatten(splitScript(bound.sql));
    if (statements.length === 0) throw new JobError("invalidQuery", "Syntax error: Unexpected end of script at [1:1]");
    const variables = new Map<string, string>();
    const ctx = { ...request, values: bound.values, variables };
    if (statements.length === 1) return this.statement(statements[0], ctx);
    let last: QueryOutcome = { statementType: "SCRIPT", fields: [], rows: [], bytes: 0 };
    let bytes = 0;
    for (const sql of statements) {
      const outcome = await this.statement(substituteVariables(sql, variables), ctx);
      bytes += outcome.bytes;
      if (outcome.statementType === "SELECT") last = outcome;
    }
    return { statementType: "SCRIPT", fields: last.fields, rows: last.rows, bytes };
  }

  private async statement(sql: string, ctx: QueryRequest & { values: Record<string, string | null>; variables: Map<string, string> }): Promise<QueryOutcome> {
    const kind = statementKind(sql);
    if (!kind) throw new JobError("invalidQuery", `Syntax error: Unexpected keyword ${/^\s*(\S+)/.exec(sql)?.[1] ?? ""} at [1:1]`);
    const bytes = await this.checkReads(sql, kind, ctx.location);
    const done = (o: Partial<QueryOutcome>): QueryOutcome => ({ statementType: kind, fields: [], rows: [], bytes, ...o });
    switch (kind) {
      case "DECLARE":
      case "SET": {
        const v = parseVariable(sql);
        if (ctx.dryRun) {
          // A dry run evaluates nothing: later statements see a typed NULL, enough to validate them.
          for (const name of v.names) ctx.variables.set(name.toLowerCase(), `cast(null as ${v.type ?? "STRING"})`);
          return done({});
        }
        const expression = v.expression ?? "null";
        const value = await this.select(`select ${v.type ? `cast((${expression}) as ${v.type})` : `(${expression})`} as v`, {});
        for (const name of v.names) ctx.variables.set(name.toLowerCase(), literal(value.rows[0]?.v, value.fields[0]));
        return done({});
      }
      case "CREATE_SCHEMA":
        return done(await this.createSchema(sql, ctx));
      case "CREATE_TABLE":
      case "CREATE_TABLE_AS_SELECT":
      case "CREATE_VIEW":
      case "CREATE_MATERIALIZED_VIEW":
        return done(await this.create(sql, kind, ctx));
      case "DROP_TABLE":
      case "DROP_VIEW":
      case "DROP_SCHEMA":
        return done(await this.drop(sql, kind, ctx));
      case "ALTER_TABLE":
      case "ALTER_VIEW":
        return done(await this.alter(sql, ctx));
      case "BEGIN":
      case "END":
        throw new JobError("invalidQuery", "the fake runs BEGIN … END blocks only as a whole script");
      default: {
        const duck = await this.translate(sql);
        if (ctx.dryRun) {
          await this.prepare(duck);
          return done({});
        }
        await this.serveExternal(sql, ctx.location);
        const reader = await this.exec(duck, ctx.values);
        if (kind === "SELECT") return done(resultOf(reader));
        return done({ numDmlAffectedRows: reader.rowsChanged });
      }
    }
  }

  /** Every table a statement reads must exist in a dataset of the job's location; the bytes it would scan. */
  private async checkReads(sql: string, kind: string, location: string): Promise<number> {
    const created = kind.startsWith("CREATE") || kind.startsWith("DROP") ? parseDdl(sql, kind as never).name : undefined;
    let bytes = 0;
    for (const raw of new Set(tableNames(sql))) {
      if (raw === created || /information_schema/i.test(raw)) continue;
      const name = parseName(raw, this.opts.projectId);
      if (!name) throw new JobError("invalidQuery", `Invalid table name: ${raw}`);
      this.catalog.requireDataset(name, location);
      const table = await this.catalog.kind(name);
      if (!table) throw new JobError("notFound", `Not found: Table ${name.project}:${name.dataset}.${name.table} was not found in location ${location}`);
      bytes += await this.catalog.bytes(name);
    }
    // Making a view, altering or dropping reads nothing.
    return /^(CREATE_VIEW|ALTER_|DROP_)/.test(kind) ? 0 : bytes;
  }

  private async createSchema(sql: string, ctx: QueryRequest): Promise<Partial<QueryOutcome>> {
    const ddl = parseDdl(sql, "CREATE_SCHEMA");
    const parts = ddl.name.split(".");
    const name: Name = parts.length === 2 ? { project: parts[0], dataset: parts[1], table: "" } : { project: this.opts.projectId, dataset: parts[0], table: "" };
    const location = readOptions(ddl.options ?? "").location ?? ctx.location;
    if (this.catalog.dataset(name)) {
      if (!ddl.ifNotExists) throw new JobError("duplicate", `Already Exists: Dataset ${name.project}:${name.dataset}`);
      return { ddlOperationPerformed: "SKIP" };
    }
    if (!ctx.dryRun) await this.catalog.createDataset(name, location);
    return { ddlOperationPerformed: "CREATE" };
  }

  private async create(sql: string, kind: string, ctx: QueryRequest & { values: Record<string, string | null> }): Promise<Partial<QueryOutcome>> {
    const ddl = parseDdl(sql, kind as never);
    const name = parseName(ddl.name, this.opts.projectId);
    if (!name) throw new JobError("invalidQuery", `Table name "${ddl.name}" missing dataset while no default dataset is set in the request.`);
    this.catalog.requireDataset(name, ctx.location);
    const target = { projectId: name.project, datasetId: name.dataset, tableId: name.table };
    const existing = await this.catalog.kind(name);
    if (existing && !ddl.replace) {
      if (ddl.ifNotExists) return { ddlOperationPerformed: "SKIP", ddlTargetTable: target };
      throw new JobError("duplicate", `Already Exists: Table ${name.project}:${name.dataset}.${name.table}`);
    }
    if (ddl.clusterBy && ddl.clusterBy.length > 4) throw new JobError("invalidQuery", "Too many clustering columns: at most 4 are allowed");
    const view = kind === "CREATE_VIEW" || kind === "CREATE_MATERIALIZED_VIEW";
    const relation = duckdbTableName({ database: name.project, schema: name.dataset, name: name.table }, this.opts.projectId);
    let duck: string;
    if (ddl.query !== undefined) {
      const query = await this.translate(ddl.query);
      if (ctx.dryRun) {
        await this.prepare(query);
        return { ddlOperationPerformed: existing ? "REPLACE" : "CREATE", ddlTargetTable: target };
      }
      await this.serveExternal(ddl.query, ctx.location);
      if (existing && existing !== (view ? "view" : "table")) await this.exec(`drop ${existing} ${relation}`);
      duck = `create or replace ${view ? "view" : "table"} ${relation} as ${query}`;
    } else {
      if (view || !ddl.columns) throw new JobError("invalidQuery", `Syntax error: Expected keyword AS in ${kind}`);
      duck = await this.translate(`create ${ddl.replace ? "or replace " : ""}table ${ddl.ifNotExists ? "if not exists " : ""}\`${name.project}.${name.dataset}.${name.table}\` ${ddl.columns}`);
      if (ctx.dryRun) return { ddlOperationPerformed: "CREATE", ddlTargetTable: target };
    }
    if (view && Object.keys(ctx.values).some((n) => duck.includes(`$${n}`))) throw new JobError("invalidQuery", "Query parameters cannot be used in a view's query");
    // A table's query may read query parameters (a failures table's @vwatch_run_id).
    await this.exec(duck, view ? {} : ctx.values);
    try {
      await this.catalog.created(name, { partitionBy: ddl.partitionBy, clusterBy: ddl.clusterBy, viewQuery: view ? ddl.query : undefined, ...readOptions(ddl.options ?? "") });
    } catch (e) {
      await this.exec(`drop ${view ? "view" : "table"} if exists ${relation}`);
      throw e;
    }
    return { ddlOperationPerformed: existing ? "REPLACE" : "CREATE", ddlTargetTable: target };
  }

  private async drop(sql: string, kind: string, ctx: QueryRequest): Promise<Partial<QueryOutcome>> {
    const ddl = parseDdl(sql, kind as never);
    if (kind === "DROP_SCHEMA") throw new JobError("invalidQuery", "the fake does not drop datasets");
    const name = parseName(ddl.name, this.opts.projectId);
    if (!name) throw new JobError("invalidQuery", `Invalid table name: ${ddl.name}`);
    const existing = this.catalog.dataset(name) ? await this.catalog.kind(name) : undefined;
    const want = kind === "DROP_VIEW" ? "view" : "table";
    if (!existing) {
      if (ddl.ifExists) return { ddlOperationPerformed: "SKIP" };
      throw new JobError("notFound", `Not found: ${want === "view" ? "View" : "Table"} ${name.project}:${name.dataset}.${name.table}`);
    }
    if (existing !== want) throw new JobError("invalidQuery", `${name.project}:${name.dataset}.${name.table} is a ${existing}: use DROP ${existing.toUpperCase()}`);
    if (ctx.dryRun) return { ddlOperationPerformed: "DROP" };
    await this.exec(`drop ${want} ${duckdbTableName({ database: name.project, schema: name.dataset, name: name.table }, this.opts.projectId)}`);
    this.catalog.dropped(name);
    return { ddlOperationPerformed: "DROP" };
  }

  private async alter(sql: string, ctx: QueryRequest): Promise<Partial<QueryOutcome>> {
    const alter = parseAlter(sql);
    const name = parseName(alter.name, this.opts.projectId);
    if (!name) throw new JobError("invalidQuery", `Invalid table name: ${alter.name}`);
    this.catalog.requireDataset(name, ctx.location);
    if (!(await this.catalog.kind(name))) throw new JobError("notFound", `Not found: Table ${name.project}:${name.dataset}.${name.table}`);
    const columns = (await this.catalog.fields(name)).map((f) => f.name.toLowerCase());
    for (const c of alter.columns) {
      if (!columns.includes(c.column.toLowerCase())) throw new JobError("invalidQuery", `Column ${c.column} not found in table ${name.dataset}.${name.table}`);
    }
    if (!ctx.dryRun) this.catalog.altered(name, alter.options.map(readOptions), alter.columns.map((c) => ({ column: c.column, ...readOptions(c.options) })));
    return { ddlOperationPerformed: "ALTER" };
  }

  /** Rows of a table for tabledata.list (pseudo-columns left out, as BigQuery does). */
  async tableRows(name: Name): Promise<{ fields: FakeField[]; rows: Record<string, unknown>[] }> {
    const fields = await this.catalog.fields(name);
    const relation = duckdbTableName({ database: name.project, schema: name.dataset, name: name.table }, this.opts.projectId);
    return { fields, rows: toPlainRows(await this.exec(`select ${fields.map((f) => quoteIdent(f.name)).join(", ")} from ${relation}`)) };
  }

  /** Creates an empty table from a schema (tables.insert, and tables.register in the tests). */
  async createTable(name: Name, fields: FakeField[], location: string): Promise<void> {
    const columns = fields.map((f) => `\`${f.name}\` ${f.mode === "REPEATED" ? `array<${f.type}>` : f.type}`).join(", ");
    await this.run({ sql: `create table \`${name.project}.${name.dataset}.${name.table}\` (${columns})`, location });
  }

  private async select(sql: string, values: Record<string, string | null>): Promise<{ fields: FakeField[]; rows: Record<string, unknown>[] }> {
    return resultOf(await this.exec(await this.translate(sql), values));
  }

  private async translate(sql: string): Promise<string> {
    const cut = extractExternalQueries(sql);
    try {
      return await this.translations.translate(cut.sql, { defaultDatabase: this.opts.projectId });
    } catch (e) {
      throw new JobError("invalidQuery", (e as Error).message);
    }
  }

  /** Fills the stand-in tables of the statement's EXTERNAL_QUERY calls from PostgreSQL. */
  private async serveExternal(sql: string, location: string): Promise<void> {
    const { queries } = extractExternalQueries(sql);
    if (queries.length === 0) return;
    for (const q of queries) {
      const parts = q.connection.split(".");
      if (parts.length !== 3 || parts[1].toLowerCase() !== location.toLowerCase()) {
        throw new JobError("notFound", `Not found: Connection ${q.connection} (connections are project.location.id, in the job's location ${location})`);
      }
    }
    if (!this.opts.postgres) throw new JobError("invalidQuery", "the fake BigQuery has no PostgreSQL to serve EXTERNAL_QUERY (option postgres)");
    try {
      await materializeExternalQueries(await this.opts.postgres(), (s) => this.exec(s), queries);
    } catch (e) {
      if (e instanceof JobError) throw e;
      // BigQuery's wording for a federated query the database refused.
      throw new JobError("invalidQuery", `Invalid table-valued function EXTERNAL_QUERY: ${(e as Error).message.split("\n")[0]}`);
    }
  }

  private async prepare(duck: string): Promise<void> {
    try {
      const statements = await this.db.connection.extractStatements(duck);
      for (let i = 0; i < statements.count; i++) await statements.prepare(i);
    } catch (e) {
      throw duckError(e);
    }
  }

  /** Runs DuckDB SQL (maybe several statements; the parameters bind to the last). */
  async exec(duck: string, values: Record<string, string | null> = {}): Promise<DuckDBResultReader> {
    try {
      const statements = await this.db.connection.extractStatements(duck);
      let reader: DuckDBResultReader | undefined;
      for (let i = 0; i < statements.count; i++) {
        const prepared = await statements.prepare(i);
        const names = Object.keys(values).filter((n) => duck.includes(`$${n}`));
        if (i === statements.count - 1 && names.length) prepared.bind(Object.fromEntries(names.map((n) => [n, values[n]])));
        reader = await prepared.runAndReadAll();
      }
      return reader!;
    } catch (e) {
      throw duckError(e);
    }
  }
}

function resultOf(reader: DuckDBResultReader): { fields: FakeField[]; rows: Record<string, unknown>[] } {
  const types = reader.columnTypes();
  return { fields: reader.columnNames().map((n, i) => fieldOf(n, types[i])), rows: toPlainRows(reader) };
}

/** A DuckDB failure as BigQuery's invalidQuery, its text kept (DuckDB's wording, not BigQuery's). */
function duckError(e: unknown): JobError {
  if (e instanceof JobError) return e;
  return new JobError("invalidQuery", (e as Error).message.split("\n")[0]);
}
