import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { nameUuid, riskDimensions } from "../../orchestrator/app/seed";
import { runCliCode } from "../helpers/cli";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { freshDatabase } from "../helpers/pg";
import { copyOwnProject, repoRoot, tempHome, warehouseRows } from "../helpers/project";

// The application-data models on hand-made GDELT events and a real PostgreSQL database of their
// own: int_gdelt_events' mapping, events before and after seed-app-data, entities and mentions.
// Risk score = round(0.7 * (10 - goldstein) * 5 + 0.3 * clamp(50 - 5 * tone, 0, 100), 2).


const template = zlib
  .gunzipSync(fs.readFileSync(path.join(repoRoot, "samples", "gdelt", "20150218230000.export.CSV.gz")))
  .toString("utf8")
  .split("\n")[0]
  .split("\t");

interface Ev {
  id: number;
  actor1: [string, string, string]; // name, CAMEO country, type
  actor2?: [string, string, string];
  code: string;
  goldstein: number;
  tone: number;
  url: string;
}

function eventLine(e: Ev): string {
  const f = [...template];
  f[0] = String(e.id);
  [f[6], f[7], f[12]] = e.actor1;
  [f[16], f[17], f[22]] = e.actor2 ?? ["", "", ""];
  f[26] = e.code;
  f[27] = e.code.slice(0, 3);
  f[28] = e.code.slice(0, 2);
  f[30] = String(e.goldstein);
  f[34] = String(e.tone);
  f[52] = "Caracas, Distrito Federal, Venezuela";
  f[53] = "VE";
  f[59] = "20240101000000";
  f[60] = e.url;
  return f.join("\t");
}

const EVENTS: Ev[] = [
  // 0.7 * 90 + 0.3 * 70 = 84: SEV1_CRITICAL; CAMEO 163 is sanctions
  { id: 100, actor1: ["NICOLAS MADURO", "VEN", "GOV"], actor2: ["UNITED STATES", "USA", ""], code: "163", goldstein: -8, tone: -4, url: "https://www.reuters.com/world/a" },
  // 0.7 * 32.5 + 0.3 * 37.5 = 34: SEV4_LOW, diplomacy
  { id: 200, actor1: ["VENEZUELA", "VEN", ""], code: "051", goldstein: 3.5, tone: 2.5, url: "http://elpais.com:80/b?x=1" },
  // 0.7 * 100 + 0.3 * min(150, 100) = 100: violence
  { id: 300, actor1: ["REBEL", "VEN", "REB"], code: "190", goldstein: -10, tone: -20, url: "https://news.example.org/c" },
  // 0.7 * 82.5 + 0.3 * 50 = 72.75: SEV2_HIGH, protest, no actor name
  { id: 400, actor1: ["", "VEN", ""], code: "141", goldstein: -6.5, tone: 0, url: "https://www.bbc.co.uk/d" },
  // 0.7 * 80 + 0.3 * 80 = 80 exactly: SEV1_CRITICAL (the boundary is inclusive), tension
  { id: 500, actor1: ["NICOLAS MADURO", "VEN", "GOV"], code: "130", goldstein: -6, tone: -6, url: "https://www.reuters.com/e" },
];

// Articles mentioning each event (GDELT mentions rows): [event, day, count].
const MENTIONS: [number, string, number][] = [
  [100, "20240101", 2],
  [100, "20240102", 1],
  [200, "20240102", 3],
  [500, "20240103", 1],
];

function mentionLines(): string[] {
  return MENTIONS.flatMap(([id, day, n]) =>
    Array.from({ length: n }, (_, i) => [id, "20240101000000", `${day}120000`, 1, "example.com", `https://example.com/${id}/${day}/${i}`, 1, -1, -1, -1, 1, 50, 1000, -1.5, "", ""].join("\t")),
  );
}

const project = copyOwnProject();

describe("application data models", () => {
  const env = { ...process.env };
  let home: string;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const run = (...args: string[]) => runCliCode(["--home", home, "--project-dir", project, "-q", ...args]);
  const rows = (sql: string) => warehouseRows(home, sql);

  beforeAll(async () => {
    database = await freshDatabase("vw_app");
    process.env.DATABASE_URL = database.url;
    home = tempHome();
    const dir = path.join(home, "in");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "20240101000000.export.CSV"), EVENTS.map(eventLine).join("\n") + "\n");
    // One mentions file per time, as GDELT stamps every row of a file with the file's time.
    for (const day of new Set(MENTIONS.map(([, d]) => d))) {
      const time = `${day}120000`;
      fs.writeFileSync(path.join(dir, `${time}.mentions.CSV`), mentionLines().filter((l) => l.split("\t")[2] === time).join("\n") + "\n");
    }
    await loadGdeltFiles(path.join(home, "warehouse.duckdb"), fs.readdirSync(dir).map((f) => path.join(dir, f)));
    expect(await run("seed-app-data", "--schema-only")).toBe(0);
    expect(await run("run", "--tags", "app", "--tags", "mentions", "--vars", "as_of=2024-01-03", "--no-sync")).toBe(0);
  });

  afterAll(async () => {
    process.env = env;
    await database.drop();
  });

  it("maps focus GDELT events to type, title, risk score and severity", async () => {
    const got = await rows(`select gdelt_event_id, title, source_name, event_type, risk_score, severity, location
      from "intermediate"."int_gdelt_events" order by gdelt_event_id`);
    const place = "Caracas, Distrito Federal, Venezuela";
    expect(got).toEqual([
      { gdelt_event_id: 100, title: "Reduce relations: NICOLAS MADURO / UNITED STATES", source_name: "reuters.com", event_type: "sanctions", risk_score: 84, severity: "SEV1_CRITICAL", location: place },
      { gdelt_event_id: 200, title: "Engage in diplomatic cooperation: VENEZUELA", source_name: "elpais.com", event_type: "diplomacy", risk_score: 34, severity: "SEV4_LOW", location: place },
      { gdelt_event_id: 300, title: "Fight: REBEL", source_name: "news.example.org", event_type: "violence", risk_score: 100, severity: "SEV1_CRITICAL", location: place },
      { gdelt_event_id: 400, title: "Protest: unknown actor", source_name: "bbc.co.uk", event_type: "protest", risk_score: 72.75, severity: "SEV2_HIGH", location: place },
      { gdelt_event_id: 500, title: "Threaten: NICOLAS MADURO", source_name: "reuters.com", event_type: "tension", risk_score: 80, severity: "SEV1_CRITICAL", location: place },
    ]);
  });

  it("lists GDELT events under their GLOBALEVENTID while the application does not hold them", async () => {
    const got = await rows(`select id, json_extract_string(metadata, '$.source') as source, cast(mentioned_at as varchar) as at from "analytics"."events" order by id`);
    expect(got.map((r) => r.id)).toEqual(["100", "200", "300", "400", "500"]);
    expect(new Set(got.map((r) => r.source))).toEqual(new Set(["gdelt"]));
    expect(got[0].at).toBe("2024-01-01 00:00:00+00");
  });

  describe("after seed-app-data", () => {
    beforeAll(async () => {
      expect(await run("seed-app-data")).toBe(0);
      const app = new Client({ connectionString: process.env.DATABASE_URL });
      await app.connect();
      // One event of the application's own, not from GDELT.
      await app.query(`insert into events_event (id, source, event_type, title, risk_score, severity, risk_dimensions, mentioned_at)
        values ('00000000-0000-4000-8000-000000000001', 'RELIEFWEB', 'disaster', 'Flooding in Mérida', 55.5, 'SEV3_MEDIUM', '{"economic": 70}', '2024-01-02 08:00:00+00')`);
      await app.end();
      expect(await run("run", "--tags", "app", "--vars", "as_of=2024-01-03", "--no-sync")).toBe(0);
    });

    it("takes each event once, under the application's id, with its risk dimensions", async () => {
      const got = await rows(`select id, title, risk_score, json_extract_string(metadata, '$.source') as source,
          cast(json_extract(metadata, '$.gdelt_event_id') as bigint) as gdelt_event_id,
          cast(json_extract(metadata, '$.risk_dimensions.sanctions') as double) as sanctions,
          cast(json_extract(metadata, '$.risk_dimensions.economic') as double) as economic
        from "analytics"."events" order by mentioned_at, gdelt_event_id`);
      expect(got).toHaveLength(6);
      const byGdelt = new Map(got.map((r) => [r.gdelt_event_id, r]));
      expect(byGdelt.get(100)).toEqual({
        id: nameUuid("gdelt-event:100"),
        title: "Reduce relations: NICOLAS MADURO / UNITED STATES",
        risk_score: 84,
        source: "app",
        gdelt_event_id: 100,
        // 163: sanctions and economic weigh 1.0
        sanctions: 84,
        economic: 84,
      });
      // 051 diplomacy, risk 34: sanctions 0.1 * 34, economic 0.4 * 34
      expect(byGdelt.get(200)).toMatchObject({ sanctions: 3.4, economic: 13.6 });
      expect(got.at(-1)).toMatchObject({ id: "00000000-0000-4000-8000-000000000001", title: "Flooding in Mérida", gdelt_event_id: null, economic: 70, sanctions: null });
    });

    it("makes one entity per actor name and one mention per article per actor", async () => {
      const entities = await rows(`select name, entity_type from "analytics"."entities" order by name`);
      expect(entities).toEqual([
        { name: "NICOLAS MADURO", entity_type: "government" },
        { name: "REBEL", entity_type: "organization" },
        { name: "UNITED STATES", entity_type: "location" },
        { name: "VENEZUELA", entity_type: "location" },
      ]);
      const mentions = await rows(`select e.name, count(*) as n from "analytics"."entity_mentions" m join "analytics"."entities" e on e.id = m.entity_id group by e.name order by e.name`);
      // Event 100 (Maduro, United States): 3 articles; 200 (Venezuela): 3; 500 (Maduro): 1.
      expect(mentions).toEqual([
        { name: "NICOLAS MADURO", n: 4 },
        { name: "UNITED STATES", n: 3 },
        { name: "VENEZUELA", n: 3 },
      ]);
      const orphans = await rows(`select count(*) as n from "analytics"."entity_mentions" m left join "analytics"."events" e on e.id = m.event_id where e.id is null`);
      expect(orphans).toEqual([{ n: 0 }]);
    });

    it("inserts nothing when seeded again", async () => {
      const app = new Client({ connectionString: process.env.DATABASE_URL });
      await app.connect();
      const count = async () => (await app.query(`select (select count(*) from entities_entity) + (select count(*) from events_event) + (select count(*) from entities_entitymention) as n`)).rows[0].n;
      const before = await count();
      expect(await run("seed-app-data")).toBe(0);
      expect(await count()).toBe(before);
      await app.end();
    });
  });

  it("derives risk dimensions by the documented weights", () => {
    expect(riskDimensions(50, "1631", "16")).toEqual({ sanctions: 50, political: 50, economic: 50, supply_chain: 50 });
    expect(riskDimensions(50, "160", "16")).toEqual({ sanctions: 30, political: 50, economic: 20, supply_chain: 10 });
    expect(riskDimensions(50, "0871", "08")).toEqual({ sanctions: 5, political: 25, economic: 50, supply_chain: 10 });
    expect(riskDimensions(50, "183", "18")).toEqual({ sanctions: 5, political: 25, economic: 20, supply_chain: 50 });
  });
});
