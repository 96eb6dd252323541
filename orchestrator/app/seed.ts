/**
 * `vwatch seed-app-data`: fills the application's tables (schema.sql) from the focus GDELT events
 * the warehouse holds, so the local demo is coherent end to end:
 * - entities: the events' actor names (one per name); the type from the first CAMEO actor type seen;
 * - events_event: one per focus event, with the warehouse's GDELT mapping (int_gdelt_events) and
 *   risk dimensions from the formula in riskDimensions();
 * - entities_entitymention: one per GDELT mention row (article) of an event, per actor of the event.
 * Ids are name-based UUIDs of the source keys, so seeding again inserts only what is new. One
 * transaction: a failure leaves the tables as they were.
 */
import { createHash } from "crypto";
import type { CompiledGraph } from "../compile/graph";
import { targetName } from "../compile/graph";
import { InputError } from "../errors";
import type { PgSink } from "../postgres/connect";
import { bigqueryTableName } from "../sql/names";
import type { Warehouse } from "../warehouse/warehouse";
import { appSchema } from "./schema";

const GOVERNMENT = new Set(["GOV", "MIL", "JUD", "LEG", "COP", "SPY"]);

export interface SeedResult {
  events: { read: number; inserted: number };
  entities: { read: number; inserted: number };
  mentions: { read: number; inserted: number };
}

interface GdeltEvent {
  gdelt_event_id: number;
  title: string;
  source_url: string | null;
  source_name: string | null;
  event_type: string;
  location: string | null;
  risk_score: number;
  severity: string;
  mentioned_at: string;
  event_code: string | null;
  event_root_code: string | null;
  actor1_name: string | null;
  actor2_name: string | null;
  actor1_type_code: string | null;
  actor2_type_code: string | null;
}

interface GdeltMention {
  event_id: number;
  mentioned_at: string;
  mention_url: string | null;
}

/** A name-based (version 5 style) UUID of a key, stable across runs and machines. */
export function nameUuid(key: string): string {
  const h = createHash("sha1").update(`venezuelawatch:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Risk dimensions (0-100) of a GDELT event: its risk score weighted by how much the CAMEO action
 * bears on each dimension. Sanctions: 1.0 for 163 (impose embargo, boycott or sanctions), 0.6 for
 * other 16x (reduce relations), 0.3 for 12 (reject) and 13 (threaten), else 0.1. Political: 1.0
 * for roots 09-17 (investigate … coerce), else 0.5. Economic: 1.0 for 163 and roots 06-08
 * (material cooperation, aid, yield), else 0.4. Supply chain: 1.0 for 163 and roots 17-20
 * (coerce, assault, fight, mass violence), else 0.2.
 */
export function riskDimensions(riskScore: number, eventCode: string | null, rootCode: string | null) {
  const code = eventCode ?? "";
  const root = Number(rootCode ?? 0);
  const sanctionsCode = code.startsWith("163");
  const weights = {
    sanctions: sanctionsCode ? 1 : root === 16 ? 0.6 : root === 12 || root === 13 ? 0.3 : 0.1,
    political: root >= 9 && root <= 17 ? 1 : 0.5,
    economic: sanctionsCode || (root >= 6 && root <= 8) ? 1 : 0.4,
    supply_chain: sanctionsCode || root >= 17 ? 1 : 0.2,
  };
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    sanctions: round(riskScore * weights.sanctions),
    political: round(riskScore * weights.political),
    economic: round(riskScore * weights.economic),
    supply_chain: round(riskScore * weights.supply_chain),
  };
}

const entityType = (typeCode: string | null): string =>
  !typeCode ? "location" : GOVERNMENT.has(typeCode) ? "government" : "organization";

function tableOf(graph: CompiledGraph, name: string) {
  const table = (graph.tables ?? []).find((t) => t.target.name === name);
  if (!table) throw new InputError(`the project has no ${name} model; seed-app-data reads it`);
  return table;
}

/** The models seeding reads: a run of these (with their dependencies) is enough before seeding. */
export const SEED_READS = ["int_gdelt_events", "stg_gdelt__mentions"];

/** Reads the focus events and their mentions from the warehouse. */
async function readGdelt(graph: CompiledGraph, warehouse: Warehouse) {
  const [eventsModel, mentionsModel] = SEED_READS;
  const eventsTable = tableOf(graph, eventsModel);
  if (!(await warehouse.tableMetadata(eventsTable.target))) {
    throw new InputError(`${targetName(eventsTable.target)} is not built yet: run \`vwatch run\` first`);
  }
  const events = bigqueryTableName(eventsTable.target, graph.projectConfig);
  const mentions = bigqueryTableName(tableOf(graph, mentionsModel).target, graph.projectConfig);
  const eventRows = await warehouse.run<GdeltEvent>(
    `select gdelt_event_id, title, source_url, source_name, event_type, location, risk_score, severity, mentioned_at,
       event_code, event_root_code, actor1_name, actor2_name, actor1_type_code, actor2_type_code
     from ${events} order by gdelt_event_id`,
  );
  const mentionRows = await warehouse.run<GdeltMention>(
    `select m.event_id, m.mentioned_at, m.mention_url
     from ${mentions} as m
     where m.event_id in (select gdelt_event_id from ${events})
     order by m.event_id, m.mentioned_at, m.mention_url`,
  );
  return { eventRows, mentionRows };
}

export async function seedAppData(graph: CompiledGraph, warehouse: Warehouse, pg: PgSink): Promise<SeedResult> {
  const { eventRows, mentionRows } = await readGdelt(graph, warehouse);

  const entities = new Map<string, { id: string; name: string; type: string }>();
  const actorsOf = new Map<number, string[]>();
  for (const e of eventRows) {
    const ids: string[] = [];
    for (const [name, type] of [[e.actor1_name, e.actor1_type_code], [e.actor2_name, e.actor2_type_code]] as const) {
      const clean = name?.trim();
      if (!clean) continue;
      if (!entities.has(clean)) entities.set(clean, { id: nameUuid(`entity:${clean}`), name: clean, type: entityType(type) });
      const id = entities.get(clean)!.id;
      if (!ids.includes(id)) ids.push(id);
    }
    actorsOf.set(Number(e.gdelt_event_id), ids);
  }

  const eventId = (gdeltId: number) => nameUuid(`gdelt-event:${gdeltId}`);
  const mentions = new Map<string, [string, string, string, string, string | null]>();
  for (const m of mentionRows) {
    for (const entity of actorsOf.get(Number(m.event_id)) ?? []) {
      const id = nameUuid(`mention:${entity}:${m.event_id}:${m.mentioned_at}:${m.mention_url ?? ""}`);
      mentions.set(id, [id, entity, eventId(Number(m.event_id)), m.mentioned_at, m.mention_url]);
    }
  }

  return pg.transaction(async () => {
    await pg.execute(appSchema());
    const entityResult = await insertRows(
      pg,
      `insert into entities_entity (id, name, entity_type)
       select * from unnest($1::uuid[], $2::text[], $3::text[]) on conflict do nothing`,
      [...entities.values()].map((e) => [e.id, e.name, e.type]),
    );
    const eventResult = await insertRows(
      pg,
      `insert into events_event (id, source, gdelt_event_id, event_type, title, source_url, source_name, location,
         risk_score, severity, risk_dimensions, mentioned_at, created_at)
       select id, 'GDELT', gdelt_event_id, event_type, title, source_url, source_name, location, risk_score, severity,
         risk_dimensions, mentioned_at, mentioned_at
       from unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::float8[], $9::text[], $10::jsonb[], $11::timestamptz[])
         as r(id, gdelt_event_id, event_type, title, source_url, source_name, location, risk_score, severity, risk_dimensions, mentioned_at)
       on conflict do nothing`,
      eventRows.map((e) => [
        eventId(Number(e.gdelt_event_id)),
        String(e.gdelt_event_id),
        e.event_type,
        e.title,
        e.source_url,
        e.source_name,
        e.location,
        e.risk_score,
        e.severity,
        JSON.stringify(riskDimensions(Number(e.risk_score), e.event_code, e.event_root_code)),
        e.mentioned_at,
      ]),
    );
    const mentionResult = await insertRows(
      pg,
      `insert into entities_entitymention (id, entity_id, event_id, mentioned_at, context)
       select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[]) on conflict do nothing`,
      [...mentions.values()],
    );
    return {
      events: { read: eventRows.length, inserted: eventResult },
      entities: { read: entities.size, inserted: entityResult },
      mentions: { read: mentions.size, inserted: mentionResult },
    };
  });
}

const BATCH = 10_000;

/** Inserts rows (arrays of column values) in batches, one array parameter per column; returns rows inserted. */
async function insertRows(pg: PgSink, sql: string, rows: unknown[][]): Promise<number> {
  let inserted = 0;
  for (let at = 0; at < rows.length; at += BATCH) {
    const batch = rows.slice(at, at + BATCH);
    const columns = batch[0].map((_, c) => batch.map((r) => r[c]));
    inserted += (await pg.execute(sql, columns)).rowCount;
  }
  return inserted;
}
