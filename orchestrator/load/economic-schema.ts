import type { Target } from "../compile/graph";
/**
 * The raw economic tables `vwatch load fred|worldbank|comtrade` fills, in dataset raw_economics
 * of the default project (locally DuckDB schema "raw_economics"). One row per natural key, so
 * loading a file again never adds rows. The declarations under
 * definitions/sources/economics/ describe the same tables; the models read only these columns.
 */

export type EconomicType = "STRING" | "INT64" | "FLOAT64" | "DATE" | "TIMESTAMP";

export interface EconomicColumn {
  name: string;
  type: EconomicType;
  /** Never null (part of the key or otherwise required). */
  required?: boolean;
}

export interface EconomicTable {
  source: "fred" | "worldbank" | "comtrade";
  /** Dataset and name; the project is the default one. */
  target: Target;
  columns: readonly EconomicColumn[];
  /** The natural key: the columns a re-load matches rows on. */
  key: readonly string[];
}

const col = (name: string, type: EconomicType, required = false): EconomicColumn => ({ name, type, ...(required ? { required } : {}) });
const provenance = [col("source_file", "STRING", true), col("loaded_at", "TIMESTAMP", true)];

export const RAW_ECONOMICS_SCHEMA = "raw_economics";

export const ECONOMIC_TABLES = {
  fred: {
    source: "fred",
    target: { schema: RAW_ECONOMICS_SCHEMA, name: "fred_observations" },
    columns: [
      col("series_id", "STRING", true),
      col("date", "DATE", true),
      col("value", "FLOAT64", true),
      col("series_name", "STRING"),
      col("units", "STRING"),
      ...provenance,
    ],
    key: ["series_id", "date"],
  },
  worldbank: {
    source: "worldbank",
    target: { schema: RAW_ECONOMICS_SCHEMA, name: "world_bank_observations" },
    columns: [
      col("indicator_id", "STRING", true),
      col("indicator_name", "STRING"),
      col("country_code", "STRING", true),
      col("country_name", "STRING"),
      col("year", "INT64", true),
      col("value", "FLOAT64", true),
      ...provenance,
    ],
    key: ["indicator_id", "country_code", "year"],
  },
  comtrade: {
    source: "comtrade",
    target: { schema: RAW_ECONOMICS_SCHEMA, name: "comtrade_records" },
    columns: [
      col("classification", "STRING", true), // HS, H4, S4, …
      col("period_code", "STRING", true), // "2019" (annual) or "201901" (monthly), as Comtrade writes it
      col("period", "DATE", true), // first day of the period
      col("reporter_code", "STRING", true), // Comtrade numeric area code, kept as text (e.g. "862")
      col("reporter", "STRING"),
      col("reporter_iso", "STRING"),
      col("partner_code", "STRING", true), // "0" = World
      col("partner", "STRING"),
      col("partner_iso", "STRING"),
      col("trade_flow_code", "STRING"), // legacy: 1 import, 2 export, 3 re-export, 4 re-import; Plus: M, X, RX, RM
      col("trade_flow", "STRING", true), // normalized: Import, Export, Re-export, Re-import
      col("commodity_code", "STRING", true),
      col("commodity", "STRING"),
      col("aggregate_level", "INT64"),
      col("qty_unit", "STRING"),
      col("qty", "FLOAT64"),
      col("net_weight_kg", "FLOAT64"),
      col("value_usd", "FLOAT64", true),
      ...provenance,
    ],
    key: ["classification", "period_code", "reporter_code", "partner_code", "trade_flow", "commodity_code"],
  },
} as const satisfies Record<string, EconomicTable>;

export type EconomicSource = keyof typeof ECONOMIC_TABLES;
