/**
 * In-memory DuckDB warehouses for model tests: one per case (nothing is shared between cases but
 * the translations of their SQL, kept under the home folder so that a second `vwatch test` need
 * not start the translator).
 */
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Table } from "../compile/graph";
import type { ProjectDefaults } from "../sql/names";
import { DuckdbWarehouse } from "../warehouse/duckdb/adapter";
import { Translations } from "../warehouse/duckdb/translations";

export function testTranslations(home: string): Translations {
  return new Translations(path.join(home, "test.translations.json"));
}

export async function memoryWarehouse(defaults: ProjectDefaults, translations: Translations): Promise<DuckdbWarehouse> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return new DuckdbWarehouse(instance, connection, defaults, translations);
}

export const kindOf = (t: Table) => (t.enumType === "VIEW" ? "view" : t.enumType === "INCREMENTAL" ? "incremental" : "table") as "view" | "incremental" | "table";
