/**
 * Vertex AI Forecasting's data requirements for a BigQuery training table ("Prepare tabular
 * training data for forecasting models", Vertex AI documentation), measured on the built
 * entity_risk_training_data. measureTrainingData() reads the warehouse; evaluate() is pure.
 * The same limits are encoded as assertions next to the model (definitions/outputs/).
 */
import type { Target } from "../compile/graph";
import { bigqueryTableName } from "../sql/names";
import type { Warehouse } from "../warehouse/warehouse";

const VERTEX_LIMITS = { minColumns: 3, maxColumns: 100, minRows: 1_000, maxRows: 100_000_000, maxTimeSteps: 3_000 };

/** The roles of entity_risk_training_data's columns when Vertex AI trains on it. */
const TRAINING_COLUMNS = { target: "risk_score", time: "mentioned_at", seriesId: "entity_id" };

const NUMERIC_TYPES = ["INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC"];
const TIME_TYPES = ["TIMESTAMP", "DATE", "DATETIME"];
const COLUMN_NAME = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

export interface Measurements {
  table: string;
  exists: boolean;
  columns: { name: string; type: string }[];
  /** Undefined when the table or one of the target, time and series id columns is missing. */
  data?: {
    rows: number;
    series: number;
    maxTimeSteps: number;
    seriesOverLimit: number;
    nullTargets: number;
    nullTimes: number;
    nullSeriesIds: number;
    duplicateSteps: number;
  };
}

type CheckStatus = "pass" | "warn" | "fail";

interface RequirementResult {
  requirement: string;
  /** hard: Vertex AI refuses the data; soft: reported as a warning (e.g. too few rows for a local sample). */
  level: "hard" | "soft";
  status: CheckStatus;
  measured: string | number;
}

interface VertexReport {
  table: string;
  requirements: RequirementResult[];
  /** False when a hard requirement failed. */
  passed: boolean;
}

/** Reads the table's columns (metadata) and one aggregate query (BigQuery SQL, Warehouse.run; the limit is a bound parameter). */
export async function measureTrainingData(warehouse: Warehouse, target: Target, project: { defaultDatabase?: string; defaultSchema?: string }): Promise<Measurements> {
  const relation = bigqueryTableName(target, project);
  const table = relation.replace(/`/g, "");
  const meta = await warehouse.tableMetadata(target);
  if (!meta) return { table, exists: false, columns: [] };
  const columns = meta.columns.map((c) => ({ name: c.name, type: c.type }));
  const names = new Set(columns.map((c) => c.name));
  const { target: y, time, seriesId } = TRAINING_COLUMNS;
  if (![y, time, seriesId].every((c) => names.has(c))) return { table, exists: true, columns };

  const countIf = (condition: string) => `sum(case when ${condition} then 1 else 0 end)`;
  const sql = `with steps as (
  select ${seriesId}, ${time}, count(*) as n
  from ${relation}
  group by ${seriesId}, ${time}
),
series as (
  select ${seriesId}, sum(n) as time_steps
  from steps
  group by ${seriesId}
)
select
  (select count(*) from ${relation}) as row_count,
  (select ${countIf(`${y} is null`)} from ${relation}) as null_targets,
  (select ${countIf(`${time} is null`)} from ${relation}) as null_times,
  (select ${countIf(`${seriesId} is null`)} from ${relation}) as null_series_ids,
  (select ${countIf("n > 1")} from steps) as duplicate_steps,
  (select count(*) from series) as series,
  (select max(time_steps) from series) as max_time_steps,
  (select ${countIf("time_steps > @max_time_steps")} from series) as series_over_limit`;
  const [row] = await warehouse.run<Record<string, number | string | null>>(sql, { max_time_steps: VERTEX_LIMITS.maxTimeSteps });
  const n = (k: string) => Number(row?.[k] ?? 0);
  return {
    table,
    exists: true,
    columns,
    data: {
      rows: n("row_count"),
      series: n("series"),
      maxTimeSteps: n("max_time_steps"),
      seriesOverLimit: n("series_over_limit"),
      nullTargets: n("null_targets"),
      nullTimes: n("null_times"),
      nullSeriesIds: n("null_series_ids"),
      duplicateSteps: n("duplicate_steps"),
    },
  };
}

const check = (requirement: string, level: "hard" | "soft", ok: boolean, measured: string | number): RequirementResult => ({
  requirement,
  level,
  status: ok ? "pass" : level === "hard" ? "fail" : "warn",
  measured,
});

/** Every requirement with its status and the measured value. */
export function evaluate(m: Measurements): VertexReport {
  const L = VERTEX_LIMITS;
  const results: RequirementResult[] = [check("table exists", "hard", m.exists, m.exists ? m.table : `${m.table} not found; run \`vwatch run --tags vertex\``)];
  if (m.exists) {
    const count = m.columns.length;
    const badNames = m.columns.map((c) => c.name).filter((name) => !COLUMN_NAME.test(name));
    const typeOf = (name: string) => m.columns.find((c) => c.name === name)?.type;
    const { target, time, seriesId } = TRAINING_COLUMNS;
    results.push(
      check(`${L.minColumns} to ${L.maxColumns} columns`, "hard", count >= L.minColumns && count <= L.maxColumns, count),
      check("column names: letters, digits, underscores; no leading underscore", "hard", badNames.length === 0, badNames.length ? badNames.join(", ") : `${count} valid`),
      check(`target ${target} is numeric`, "hard", NUMERIC_TYPES.includes(typeOf(target) ?? ""), typeOf(target) ?? "missing"),
      check(`time column ${time}`, "hard", TIME_TYPES.includes(typeOf(time) ?? ""), typeOf(time) ?? "missing"),
      check(`series id column ${seriesId}`, "hard", typeOf(seriesId) !== undefined, typeOf(seriesId) ?? "missing"),
    );
    const d = m.data;
    if (d) {
      results.push(
        check(`target ${target} never null`, "hard", d.nullTargets === 0, `${d.nullTargets} null`),
        check(`time ${time} in every row`, "hard", d.nullTimes === 0, `${d.nullTimes} null`),
        check(`series id ${seriesId} in every row`, "hard", d.nullSeriesIds === 0, `${d.nullSeriesIds} null; ${d.series} series`),
        check(`one row per (${seriesId}, ${time})`, "hard", d.duplicateSteps === 0, `${d.duplicateSteps} duplicated`),
        check(`at most ${L.maxTimeSteps.toLocaleString("en-US")} time steps per series`, "hard", d.seriesOverLimit === 0, `max ${d.maxTimeSteps}${d.seriesOverLimit ? `; ${d.seriesOverLimit} series over` : ""}`),
        check(`${L.minRows.toLocaleString("en-US")} to ${L.maxRows.toLocaleString("en-US")} rows`, "soft", d.rows >= L.minRows && d.rows <= L.maxRows, d.rows),
      );
    }
  }
  return { table: m.table, requirements: results, passed: results.every((r) => r.status !== "fail") };
}
