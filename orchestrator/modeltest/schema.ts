/**
 * The columns (DuckDB types) of the tables a model test fills: every model built once, empty, in
 * an in-memory DuckDB through the same statements as a run, from declared sources typed as the
 * loaders create them (the product's sourceColumns hook) and EXTERNAL_QUERY results typed from
 * the application's declared schema (as `vwatch validate` types them).
 */
import { targetName, type CompiledGraph, type Target } from "../compile/graph";
import type { SourceColumn } from "../run/hooks";
import { EXTERNAL_SCHEMA, type ExternalQuery } from "../sql/external-query";
import { duckdbSchema, duckdbTableName, quoteIdent } from "../sql/duckdb-names";
import { duckdbType } from "../sql/types";
import type { DuckdbWarehouse } from "../warehouse/duckdb/adapter";
import type { StatementBuilder } from "../warehouse/statements";
import type { Column } from "../warehouse/warehouse";
import { kindOf } from "./memory";

export interface SchemaSources {
  sourceColumns?(target: Target): SourceColumn[] | undefined;
  /** BigQuery-typed result columns of an EXTERNAL_QUERY inner query. */
  describe?(query: ExternalQuery, file?: string): Promise<Column[]>;
}

export class Schemas {
  private readonly known = new Map<string, Promise<Column[] | undefined>>();
  private builder?: Promise<StatementBuilder>;

  constructor(
    private readonly graph: CompiledGraph,
    private readonly warehouse: DuckdbWarehouse,
    private readonly sources: SchemaSources,
  ) {}

  /** The target's columns with DuckDB types; undefined for a declaration whose columns no one states. */
  columns(target: Target): Promise<Column[] | undefined> {
    const key = targetName(target);
    let found = this.known.get(key);
    if (!found) {
      found = this.build(target);
      this.known.set(key, found);
    }
    return found;
  }

  private async build(target: Target): Promise<Column[] | undefined> {
    const key = targetName(target);
    const wh = this.warehouse;
    this.builder ??= wh.statements();
    const builder = await this.builder;
    await wh.execute(builder.createSchema(target));
    const table = (this.graph.tables ?? []).find((t) => targetName(t.target) === key);
    if (!table) {
      const declared = this.sources.sourceColumns?.(target);
      if (!declared) return undefined;
      await wh.execute(`create table ${builder.relation(target)} (${declared.map((c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}`).join(", ")})`);
      return this.read(target);
    }
    for (const dep of table.dependencyTargets ?? []) await this.columns(dep);
    const built = await builder.table(table, builder.relation(target), kindOf(table), undefined, true);
    for (const q of built.externalQueries ?? []) {
      if (!this.sources.describe) throw new Error(`${table.fileName}: cannot type the EXTERNAL_QUERY it reads`);
      const columns = await this.sources.describe(q, table.fileName);
      await wh.execute(`create schema if not exists ${quoteIdent(EXTERNAL_SCHEMA)}`);
      await wh.execute(`create or replace table ${duckdbTableName({ schema: EXTERNAL_SCHEMA, name: q.table }, undefined)} (${columns.map((c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}`).join(", ")})`);
    }
    for (const task of built.tasks) if (task.type === "statement") await wh.execute(task.sql);
    return this.read(target);
  }

  private async read(target: Target): Promise<Column[]> {
    const where = { schema: duckdbSchema(target, this.graph.projectConfig.defaultDatabase), name: target.name };
    const rows = await this.warehouse.query<{ column_name: string; data_type: string }>(
      "select column_name, data_type from duckdb_columns() where schema_name = $schema and table_name = $name order by column_index",
      where,
    );
    return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
  }
}
