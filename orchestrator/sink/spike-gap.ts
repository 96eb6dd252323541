/**
 * Which of the warehouse's spikes PostgreSQL lacks, cheaply. Per spike day, the warehouse's
 * distinct keys (count and sum of event_id) are compared with PostgreSQL's (from its unique
 * index); only the days that differ are read in full from the warehouse, and their keys are then
 * probed exactly. A day PostgreSQL has in full is never read again, however old, so a plain sync
 * catches up after any outage at the cost of the days it missed. (A day where PostgreSQL also
 * holds spikes the warehouse no longer has differs for good: it is read and probed each time,
 * and nothing is written for it once its missing keys are in.)
 */
import type { Warehouse } from "../warehouse/warehouse";
import type { PgSink } from "../postgres/connect";
import { lineKey, readSpikeLines, uniqueLines, warehouseDays, type DayKeys, type DayRange } from "./spike-rows";

export const SPIKES_PG_TABLE = "data_pipeline_mentionspike";

export interface SpikeGap {
  /** The latest spike day compared; null when the warehouse has no spikes (from `since` on). */
  asOf: string | null;
  daysCompared: number;
  /** The days that differ, as ranges of consecutive spike days. */
  ranges: DayRange[];
  daysRead: number;
  /** Rows read from the warehouse (the differing days'), duplicates included. */
  read: number;
  /** Their COPY lines, one per key, ordered by (spike_date, event_id). */
  lines: string[];
}

export async function findSpikeGap(warehouse: Warehouse, table: string, pg: PgSink, since: string | null): Promise<SpikeGap> {
  const days = await warehouseDays(warehouse, table, since);
  if (days.length === 0) return { asOf: null, daysCompared: 0, ranges: [], daysRead: 0, read: 0, lines: [] };
  const present = (await tableExists(pg)) ? await postgresDays(pg, days[0].day, days[days.length - 1].day) : new Map<string, DayKeys>();
  const differ = days.map((d) => {
    const p = present.get(d.day);
    return !p || p.keys !== d.keys || p.keySum !== d.keySum;
  });
  const ranges = rangesOf(days.map((d) => d.day), differ);
  const all = await readSpikeLines(warehouse, table, ranges);
  return {
    asOf: days[days.length - 1].day,
    daysCompared: days.length,
    ranges,
    daysRead: differ.filter(Boolean).length,
    read: all.length,
    lines: uniqueLines(all),
  };
}

/** PostgreSQL's keys per spike day between two days (an index-only read of the unique key). */
async function postgresDays(pg: PgSink, from: string, to: string): Promise<Map<string, DayKeys>> {
  const rows = await pg.execute<{ day: string; keys: number; key_sum: string }>(
    `select to_char(spike_date, 'YYYY-MM-DD') as day, count(*)::int as keys, sum(event_id)::text as key_sum
     from ${SPIKES_PG_TABLE}
     where spike_date between $1::date and $2::date
     group by spike_date`,
    [from, to],
  );
  return new Map(rows.rows.map((r) => [r.day, { day: r.day, keys: r.keys, keySum: r.key_sum }]));
}

/** Runs of consecutive flagged days (consecutive in the list: days without spikes in between do not split a run). */
function rangesOf(days: string[], flagged: boolean[]): DayRange[] {
  const ranges: DayRange[] = [];
  days.forEach((day, i) => {
    if (!flagged[i]) return;
    if (i > 0 && flagged[i - 1]) ranges[ranges.length - 1].to = day;
    else ranges.push({ from: day, to: day });
  });
  return ranges;
}

/**
 * Which of these lines' keys exist in PostgreSQL, as 0-based indexes. A batch whose day range
 * holds no rows at all (the usual case for new days) skips the key probe. Lines are ordered by
 * spike_date, so the range is the first and last line's day.
 */
export async function presentIndexes(pg: PgSink, lines: string[]): Promise<Set<number>> {
  if (lines.length === 0) return new Set();
  const any = await pg.execute<{ any: boolean }>(
    `select exists (select 1 from ${SPIKES_PG_TABLE} where spike_date between $1::date and $2::date) as any`,
    [lineKey(lines[0])[1], lineKey(lines[lines.length - 1])[1]],
  );
  if (!any.rows[0].any) return new Set();
  const keys = lines.map(lineKey);
  // Keys travel as two comma-separated strings: 2x faster than array parameters at 200k keys.
  const result = await pg.execute<{ present: string | null }>(
    `select string_agg((k.ord - 1)::text, ',') as present
     from unnest(string_to_array($1, ',')::bigint[], string_to_array($2, ',')::date[]) with ordinality as k(event_id, spike_date, ord)
     where exists (
       select 1
       from ${SPIKES_PG_TABLE} as t
       where t.event_id = k.event_id
         and t.spike_date = k.spike_date
     )`,
    [keys.map((k) => k[0]).join(","), keys.map((k) => k[1]).join(",")],
  );
  const present = result.rows[0].present;
  return new Set(present ? present.split(",").map(Number) : []);
}

export async function tableExists(pg: PgSink, table = SPIKES_PG_TABLE): Promise<boolean> {
  return (await pg.execute<{ t: string | null }>("select to_regclass($1)::text as t", [table])).rows[0].t !== null;
}
