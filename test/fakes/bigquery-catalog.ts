/**
 * The fake BigQuery's datasets and tables over its DuckDB database: which exist (DuckDB's
 * catalog), in which location, and what DuckDB cannot hold — partitioning, clustering,
 * descriptions and labels — kept beside it and returned by tables.get as the REST API does.
 * Ingestion-time partitioned tables (the GDELT loader's, with a `_PARTITIONTIME` column) show that
 * column as BigQuery does: not in the schema, the table partitioned by DAY without a field.
 */
import { duckdbSchema, duckdbString, duckdbTableName, quoteIdent } from "../../orchestrator/sql/duckdb-names";
import { EXTERNAL_SCHEMA } from "../../orchestrator/sql/external-query";
import { standardName } from "../../orchestrator/sql/types";
import type { DuckdbWarehouse } from "../../orchestrator/warehouse/duckdb/adapter";
import { parseName, tableNames, type Name } from "./bigquery-script";
import { fieldOf, JobError, type FakeField } from "./bigquery-values";

const PSEUDO_COLUMNS = ["_PARTITIONTIME", "_PARTITIONDATE"];
const INTERNAL_SCHEMAS = ["main", "information_schema", "pg_catalog", "temp", EXTERNAL_SCHEMA];

interface DatasetEntry {
  project: string;
  dataset: string;
  location: string;
  creationTime: string;
}

interface TableMeta {
  timePartitioning?: { type: string; field?: string };
  rangePartitioning?: { field: string };
  clustering?: { fields: string[] };
  description?: string;
  labels?: Record<string, string>;
  /** A view's query as BigQuery received it. */
  viewQuery?: string;
  columnDescriptions: Map<string, string>;
  creationTime: string;
  lastModifiedTime: string;
}

const keyOf = (n: Pick<Name, "project" | "dataset">, table?: string) => `${n.project}.${n.dataset}${table === undefined ? "" : `.${table}`}`;

export class TableCatalog {
  private readonly datasets = new Map<string, DatasetEntry>();
  private readonly meta = new Map<string, TableMeta>();

  constructor(
    private readonly db: DuckdbWarehouse,
    private readonly project: string,
    private readonly location: string,
  ) {}

  /** The DuckDB file's schemas as datasets of the default location (a file the loaders filled). */
  async discover(): Promise<void> {
    const rows = await this.db.query<{ schema_name: string }>("select distinct schema_name from duckdb_schemas() where not internal");
    for (const { schema_name } of rows) {
      if (INTERNAL_SCHEMAS.includes(schema_name)) continue;
      const dot = schema_name.indexOf(".");
      const name = dot < 0 ? { project: this.project, dataset: schema_name } : { project: schema_name.slice(0, dot), dataset: schema_name.slice(dot + 1) };
      this.datasets.set(keyOf(name), { ...name, location: this.location, creationTime: String(Date.now()) });
    }
  }

  dataset(name: Pick<Name, "project" | "dataset">): DatasetEntry | undefined {
    return this.datasets.get(keyOf(name));
  }

  listDatasets(project: string): DatasetEntry[] {
    return [...this.datasets.values()].filter((d) => d.project === project);
  }

  /** notFound unless the dataset exists in this location (BigQuery looks datasets up in the job's location). */
  requireDataset(name: Pick<Name, "project" | "dataset">, location: string): DatasetEntry {
    const d = this.dataset(name);
    if (!d || d.location.toLowerCase() !== location.toLowerCase()) {
      throw new JobError("notFound", `Not found: Dataset ${name.project}:${name.dataset} was not found in location ${location}`);
    }
    return d;
  }

  async createDataset(name: Pick<Name, "project" | "dataset">, location: string): Promise<DatasetEntry> {
    await this.db.execute(`create schema if not exists ${quoteIdent(duckdbSchema({ database: name.project, schema: name.dataset, name: "" }, this.project))}`);
    const entry = { project: name.project, dataset: name.dataset, location, creationTime: String(Date.now()) };
    this.datasets.set(keyOf(name), entry);
    return entry;
  }

  private relation(name: Name): string {
    return duckdbTableName({ database: name.project, schema: name.dataset, name: name.table }, this.project);
  }

  async kind(name: Name): Promise<"table" | "view" | undefined> {
    if (!this.dataset(name)) return undefined;
    const where = { schema: duckdbSchema({ database: name.project, schema: name.dataset, name: name.table }, this.project), name: name.table };
    const [found] = await this.db.query<{ kind: "table" | "view" }>(
      `select 'table' as kind from duckdb_tables() where schema_name = $schema and table_name = $name
       union all
       select 'view' as kind from duckdb_views() where not internal and schema_name = $schema and view_name = $name`,
      where,
    );
    return found?.kind;
  }

  /** The columns as BigQuery's schema fields, pseudo-columns left out, with their descriptions. */
  async fields(name: Name): Promise<FakeField[]> {
    const reader = await this.db.connection.runAndReadAll(`select * from ${this.relation(name)} limit 0`);
    const types = reader.columnTypes();
    const descriptions = this.meta.get(keyOf(name, name.table))?.columnDescriptions;
    return reader
      .columnNames()
      .map((n, i) => ({ ...fieldOf(n, types[i]), ...(descriptions?.get(n.toLowerCase()) ? { description: descriptions.get(n.toLowerCase()) } : {}) }))
      .filter((f) => !PSEUDO_COLUMNS.includes(f.name.toUpperCase()));
  }

  private async hasPseudoColumn(name: Name): Promise<boolean> {
    const reader = await this.db.connection.runAndReadAll(`select * from ${this.relation(name)} limit 0`);
    return reader.columnNames().some((n) => n.toUpperCase() === "_PARTITIONTIME");
  }

  /**
   * Bytes a query reading the table would scan: its rows × its columns × 8 (an estimate; BigQuery
   * counts only the columns read). A view's are those of the tables its query reads.
   */
  async bytes(name: Name, depth = 0): Promise<number> {
    const kind = await this.kind(name);
    if (kind === "view") {
      const query = this.meta.get(keyOf(name, name.table))?.viewQuery;
      if (!query || depth > 16) return 0;
      let sum = 0;
      for (const raw of new Set(tableNames(query))) {
        const read = parseName(raw, this.project);
        if (read && this.dataset(read)) sum += await this.bytes(read, depth + 1);
      }
      return sum;
    }
    if (kind !== "table") return 0;
    const [{ n }] = await this.db.query<{ n: number }>(`select count(*) as n from ${this.relation(name)}`);
    return n * (await this.fields(name)).length * 8;
  }

  /** A table made by CREATE: its partitioning and clustering checked and kept, replacing what an older one had. */
  async created(name: Name, o: { partitionBy?: string; clusterBy?: string[]; viewQuery?: string; description?: string; labels?: Record<string, string> }): Promise<void> {
    const fields = await this.fields(name);
    const typeOf = (column: string) => fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
    const now = String(Date.now());
    const meta: TableMeta = { columnDescriptions: new Map(), creationTime: now, lastModifiedTime: now, description: o.description, labels: o.labels, viewQuery: o.viewQuery };
    if (o.partitionBy) {
      const m = /^(?:(\w+)\s*\(\s*)?`?(\w+)`?\s*(?:,\s*(\w+)\s*)?\)?$/i.exec(o.partitionBy.trim());
      const fn = m?.[1]?.toLowerCase();
      const column = m && typeOf(m[2]);
      const type = column && standardName(column.type);
      const ok = column && (fn === undefined ? ["DATE", "TIMESTAMP", "DATETIME"].includes(type!) : fn === "date" ? ["TIMESTAMP", "DATETIME"].includes(type!) : ["timestamp_trunc", "date_trunc", "datetime_trunc"].includes(fn));
      if (!m || !ok) {
        throw new JobError("invalidQuery", `PARTITION BY expression must be DATE(<timestamp_column>), a DATE column, or a TIMESTAMP/DATETIME_TRUNC of one; got: ${o.partitionBy}`);
      }
      meta.timePartitioning = { type: (m[3] ?? "DAY").toUpperCase(), field: column!.name };
    }
    for (const c of o.clusterBy ?? []) {
      const column = typeOf(c.replace(/`/g, ""));
      if (!column) throw new JobError("invalidQuery", `Unrecognized name: ${c} in CLUSTER BY`);
      if (["FLOAT", "FLOAT64", "RECORD"].includes(column.type) || column.mode === "REPEATED") throw new JobError("invalidQuery", `CLUSTER BY column ${c} has type ${column.type}, which cannot cluster`);
    }
    if (o.clusterBy?.length) meta.clustering = { fields: o.clusterBy.map((c) => c.replace(/`/g, "")) };
    this.meta.set(keyOf(name, name.table), meta);
  }

  altered(name: Name, table: { description?: string; labels?: Record<string, string> }[], columns: { column: string; description?: string }[]): void {
    const meta: TableMeta = this.meta.get(keyOf(name, name.table)) ?? { columnDescriptions: new Map(), creationTime: String(Date.now()), lastModifiedTime: String(Date.now()) };
    for (const o of table) {
      if (o.description !== undefined) meta.description = o.description;
      if (o.labels) meta.labels = o.labels;
    }
    for (const c of columns) if (c.description !== undefined) meta.columnDescriptions.set(c.column.toLowerCase(), c.description);
    meta.lastModifiedTime = String(Date.now());
    this.meta.set(keyOf(name, name.table), meta);
  }

  /** tables.patch: the description, labels and column descriptions of the body; the table as it is then. */
  async patch(name: Name, body: { description?: string; labels?: Record<string, string>; schema?: { fields?: FakeField[] } }): Promise<any> {
    const columns = (body.schema?.fields ?? []).filter((f) => f.description !== undefined).map((f) => ({ column: f.name, description: f.description }));
    this.altered(name, [{ description: body.description, labels: body.labels }], columns);
    return this.resource(name);
  }

  dropped(name: Name): void {
    this.meta.delete(keyOf(name, name.table));
  }

  /** The tables.get resource; undefined when the table does not exist. */
  async resource(name: Name): Promise<any | undefined> {
    const kind = await this.kind(name);
    if (!kind) return undefined;
    const meta = this.meta.get(keyOf(name, name.table));
    const fields = await this.fields(name);
    const ingestion = kind === "table" && !meta?.timePartitioning && (await this.hasPseudoColumn(name));
    const table: any = {
      kind: "bigquery#table",
      id: `${name.project}:${name.dataset}.${name.table}`,
      tableReference: { projectId: name.project, datasetId: name.dataset, tableId: name.table },
      type: kind === "view" ? "VIEW" : "TABLE",
      schema: { fields },
      creationTime: meta?.creationTime ?? this.dataset(name)!.creationTime,
      lastModifiedTime: meta?.lastModifiedTime ?? this.dataset(name)!.creationTime,
      location: this.dataset(name)!.location,
    };
    if (meta?.timePartitioning) table.timePartitioning = meta.timePartitioning;
    else if (ingestion) table.timePartitioning = { type: "DAY" };
    if (meta?.clustering) table.clustering = meta.clustering;
    if (meta?.description !== undefined) table.description = meta.description;
    if (meta?.labels) table.labels = meta.labels;
    if (meta?.viewQuery !== undefined) table.view = { query: meta.viewQuery, useLegacySql: false };
    if (kind === "table") {
      const [{ n }] = await this.db.query<{ n: number }>(`select count(*) as n from ${this.relation(name)}`);
      table.numRows = String(n);
      table.numBytes = String(await this.bytes(name));
    }
    return table;
  }

  /** tables.list: every table and view of a dataset, briefly. */
  async list(dataset: Pick<Name, "project" | "dataset">): Promise<any[]> {
    const schema = duckdbSchema({ database: dataset.project, schema: dataset.dataset, name: "" }, this.project);
    const rows = await this.db.query<{ name: string; kind: string }>(
      `select table_name as name, 'TABLE' as kind from duckdb_tables() where schema_name = ${duckdbString(schema)}
       union all select view_name as name, 'VIEW' as kind from duckdb_views() where not internal and schema_name = ${duckdbString(schema)}
       order by name`,
    );
    return rows.map((r) => ({
      kind: "bigquery#table",
      id: `${dataset.project}:${dataset.dataset}.${r.name}`,
      tableReference: { projectId: dataset.project, datasetId: dataset.dataset, tableId: r.name },
      type: r.kind,
    }));
  }
}
