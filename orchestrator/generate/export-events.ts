import { InputError } from "../errors";
import { forEachLine } from "../load/decompress";
import { EVENT_COLUMNS } from "../load/gdelt-schema";
import type { SyntheticEvent } from "./mentions";

/** Which events of an export file to keep: any actor country (CAMEO, e.g. VEN) or action geo (FIPS, e.g. VE). */
export interface EventFilter {
  actorCountries?: string[];
  actionGeoCountries?: string[];
}

const at = (name: string) => EVENT_COLUMNS.findIndex((c) => c.name === name);
const COL = {
  id: at("GLOBALEVENTID"),
  actor1: at("Actor1CountryCode"),
  actor2: at("Actor2CountryCode"),
  tone: at("AvgTone"),
  actionGeo: at("ActionGeo_CountryCode"),
  added: at("DATEADDED"),
};

/** The events (id, DATEADDED, AvgTone) of raw `*.export.CSV[.gz|.zip]` files, in file order, deduplicated. */
export async function readExportEvents(files: string[], filter: EventFilter = {}): Promise<SyntheticEvent[]> {
  const actors = new Set(filter.actorCountries ?? []);
  const geos = new Set(filter.actionGeoCountries ?? []);
  const filtered = actors.size > 0 || geos.size > 0;
  const events = new Map<number, SyntheticEvent>();
  for (const file of files) {
    let line = 0;
    await forEachLine(file, (text) => {
      line++;
      if (text === "") return;
      const f = text.split("\t");
      if (f.length !== EVENT_COLUMNS.length) throw new InputError(`${file} line ${line}: expected ${EVENT_COLUMNS.length} columns, found ${f.length}`);
      if (filtered && !actors.has(f[COL.actor1]) && !actors.has(f[COL.actor2]) && !geos.has(f[COL.actionGeo])) return;
      const id = Number(f[COL.id]);
      if (!Number.isSafeInteger(id)) throw new InputError(`${file} line ${line}, column GLOBALEVENTID: not an integer: "${f[COL.id]}"`);
      const tone = f[COL.tone] === "" ? undefined : Number(f[COL.tone]);
      if (!events.has(id)) events.set(id, { id, eventTime: f[COL.added], tone: Number.isFinite(tone) ? tone : undefined });
    });
  }
  return [...events.values()];
}

/** Event ids from the command line: "1,2,3" and ranges "100..199". */
export function parseEventIds(text: string): SyntheticEvent[] {
  const events: SyntheticEvent[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)\.\.(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from || to - from > 10_000_000) throw new InputError(`bad event id range "${part}"`);
      for (let id = from; id <= to; id++) events.push({ id });
    } else if (/^\d+$/.test(part) && Number.isSafeInteger(Number(part))) events.push({ id: Number(part) });
    else throw new InputError(`not an event id or a range a..b: "${part}"`);
  }
  return events;
}
