/**
 * Column names and types of declarations (tables the project reads but does not build), from
 * where the product states them (its sourceColumns hook, run/hooks.ts). Dataform's `columns` on a
 * declaration carry descriptions, not types, so they cannot type a table.
 * A declaration no source describes is left out of the catalog and the statements reading it are
 * reported as not validated rather than failing for the wrong reason.
 */
import { parseBigQueryType } from "./bigquery-types";
import type { CatalogColumn } from "./catalog";

/** A column of a declared source, its type in BigQuery's names; pseudo-columns are readable but not part of `select *`. */
export interface SourceColumn {
  name: string;
  type: string;
  pseudo?: boolean;
}

/** Columns with BigQuery type names (a warehouse's, a declared source's) as catalog columns. */
export const columnsOf = (columns: readonly SourceColumn[]): CatalogColumn[] =>
  columns.map((c) => ({ name: c.name, type: parseBigQueryType(c.type), ...(c.pseudo ? { pseudo: true } : {}) }));
