import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { copyOwnProject, repoRoot, tempHome } from "../helpers/project";

// `vwatch query …` on hand-made application tables in DuckDB (created directly, at the names the
// compiled project gives them), and on BigQuery against the local fake of its API.

const HOSTILE = "'; drop table events; --";

// 2024-03-02 is a Saturday, 2024-03-03 a Sunday; 2024 is a leap year.
const EVENTS: [id: string, type: string, risk: number | null, at: string][] = [
  ["e1", "protest", 10, "2024-02-29 23:59:59.999999"], // Thursday
  ["e2", "protest", 20, "2024-03-01 00:00:00"], // Friday
  ["e3", "political", null, "2024-03-02 12:00:00"], // Saturday, no risk score
  ["e4", "protest", 60, "2024-03-02 23:59:59.999999"], // Saturday, last microsecond
  ["e5", "conflict", 30, "2024-03-03 00:00:00"], // Sunday: a new week
  ["e6", "protest", 50, "2024-03-31 23:00:00"], // Sunday, last day of March
  ["e7", "economic", 90, "2024-04-01 00:00:00"], // Monday, first of April
];

const ENTITIES: [id: string, name: string, type: string][] = [
  ["X", "Nicolás Maduro", "person"],
  ["Y", "PDVSA", "organization"],
  // Z has mentions but no entities row: its name is NULL
];

// --as-of 2024-03-31T12:00:00Z. weight = 0.5 ^ (age / 7 days)
const MENTIONS: [entity: string, at: string][] = [
  ["X", "2024-03-31 12:00:00"], // age 0: 1
  ["X", "2024-03-24 12:00:00"], // 7 days: 0.5
  ["X", "2024-03-17 12:00:00"], // 14 days: 0.25
  ["X", "2024-02-29 12:00:00"], // 31 days: outside the 30-day window
  ["X", "2024-03-31 12:00:01.123456"], // after the reference time: excluded (and the latest mention)
  ["Y", "2024-03-01 12:00:00"], // exactly 30 days: 0.5 ^ (30 / 7) = 0.0513...
  ["Y", "2024-03-01 11:59:59"], // 30 days and 1 second: excluded
  ["Y", "2024-03-28 00:00:00"], // 3.5 days: 0.5 ^ 0.5 = 0.7071...
  ["Z", "2024-03-30 12:00:00"], // 1 day: 0.5 ^ (1 / 7) = 0.9057...
];

async function createTables(home: string, schema = "analytics"): Promise<void> {
  const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
  try {
    await db.execute(`create schema if not exists ${schema};
      create table ${schema}.events (id varchar, title varchar, content varchar, source_url varchar, source_name varchar, event_type varchar,
        location varchar, risk_score double, severity varchar, mentioned_at timestamptz, created_at timestamptz, metadata json);
      create table ${schema}.entity_mentions (id varchar, entity_id varchar, event_id varchar, mentioned_at timestamptz, context varchar);
      create table ${schema}.entities (id varchar, name varchar, entity_type varchar)`);
    for (const [id, type, risk, at] of EVENTS) {
      await db.query(`insert into ${schema}.events (id, title, event_type, risk_score, mentioned_at) values ($id, $title, $type, $risk, $at::timestamptz)`, {
        id,
        title: `title ${id}`,
        type,
        risk,
        at: `${at}+00`,
      });
    }
    for (const [i, [entity, at]] of MENTIONS.entries()) {
      await db.query(`insert into ${schema}.entity_mentions values ($id, $entity, 'e1', $at::timestamptz, null)`, { id: `m${i}`, entity, at: `${at}+00` });
    }
    for (const [id, name, type] of ENTITIES) await db.query(`insert into ${schema}.entities values ($id, $name, $type)`, { id, name, type });
  } finally {
    await db.close();
  }
}

const vwatch = (home: string, project: string, ...args: string[]) => runCli(["--home", home, "--project-dir", project, ...args]);

async function json(home: string, project: string, ...args: string[]): Promise<any> {
  const r = await vwatch(home, project, ...args, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

const ids = (r: { events: { id: string }[] }) => r.events.map((e) => e.id);

describe("vwatch query on DuckDB", () => {
  let home: string;
  beforeAll(async () => {
    home = tempHome();
    await createTables(home);
  });
  const q = (...args: string[]) => json(home, repoRoot, "query", ...args);

  describe("recent-events", () => {
    it("takes events from the first microsecond of --from through the last of --to, newest first", async () => {
      // e1 (Feb 29 23:59:59.999999) is before --from; e5 (Mar 3 00:00) is after the --to day.
      const r = await q("recent-events", "--from", "2024-03-01", "--to", "2024-03-02");
      expect(ids(r)).toEqual(["e4", "e3", "e2"]);
      expect(r.from).toBe("2024-03-01T00:00:00.000000Z");
      expect(r.to).toBe("2024-03-02T23:59:59.999999Z");
      expect(r.events[0]).toEqual({
        id: "e4",
        mentioned_at: "2024-03-02T23:59:59.999Z",
        event_type: "protest",
        risk_score: 60,
        severity: null,
        title: "title e4",
        location: null,
        source_name: null,
        source_url: null,
      });
    });

    it("includes a timestamp --to itself, and no later event", async () => {
      expect(ids(await q("recent-events", "--from", "2024-03-01", "--to", "2024-03-02T12:00:00Z"))).toEqual(["e3", "e2"]);
      expect(ids(await q("recent-events", "--from", "2024-03-01", "--to", "2024-03-02T11:59:59.999999"))).toEqual(["e2"]);
    });

    it("filters on --type and stops at --limit", async () => {
      expect(ids(await q("recent-events", "--from", "2024-02-01", "--to", "2024-04-30", "--type", "protest"))).toEqual(["e6", "e4", "e2", "e1"]);
      expect(ids(await q("recent-events", "--from", "2024-02-01", "--to", "2024-04-30", "--limit", "2"))).toEqual(["e7", "e6"]);
      expect(ids(await q("recent-events", "--from", "2024-02-01", "--to", "2024-04-30", "--type", "protest", "--limit", "1"))).toEqual(["e6"]);
    });

    it("prints a table for people", async () => {
      const r = await vwatch(home, repoRoot, "query", "recent-events", "--from", "2024-03-01", "--to", "2024-03-01");
      expect(r.code).toBe(0);
      expect(r.out.split("\n").slice(0, 3)).toEqual([
        "mentioned_at              type     risk  severity  title     location  id",
        "------------------------  -------  ----  --------  --------  --------  --",
        "2024-03-01T00:00:00.000Z  protest  20.0            title e2            e2",
      ]);
    });
  });

  describe("trending", () => {
    it("weighs mentions 0.5 ^ (age / 7 days) within 30 days before --as-of, later ones excluded", async () => {
      const r = await q("trending", "--as-of", "2024-03-31T12:00:00Z");
      expect(r.reference_time).toBe("2024-03-31T12:00:00.000Z");
      expect(r.entities.map((e: any) => [e.entity_id, e.name, e.mentions])).toEqual([
        ["X", "Nicolás Maduro", 3], // 1 + 0.5 + 0.25 = 1.75
        ["Z", null, 1], // 0.5 ^ (1/7) = 0.9057
        ["Y", "PDVSA", 2], // 0.5 ^ 0.5 + 0.5 ^ (30/7) = 0.7071 + 0.0513 = 0.7584
      ]);
      const [x, z, y] = r.entities.map((e: any) => e.score);
      expect(x).toBeCloseTo(1.75, 12);
      expect(z).toBeCloseTo(0.5 ** (1 / 7), 12);
      expect(y).toBeCloseTo(Math.SQRT1_2 + 0.5 ** (30 / 7), 12);
    });

    it("defaults the reference time to the latest mention, to the microsecond", async () => {
      // Latest mention: X at 12:00:01.123456, which counts with age 0 (weight 1). The others are
      // 1.123456 s older than with --as-of 12:00:00.
      const r = await q("trending");
      expect(r.reference_time).toBe("2024-03-31T12:00:01.123Z");
      const x = r.entities.find((e: any) => e.entity_id === "X");
      const week = 7 * 86_400;
      const w = (seconds: number) => 0.5 ** (seconds / week);
      expect(x.mentions).toBe(4);
      expect(x.score).toBeCloseTo(1 + w(1.123456) + w(week + 1.123456) + w(2 * week + 1.123456), 12);
      // Y's mention at exactly 30 days is now 1.123456 s too old.
      expect(r.entities.find((e: any) => e.entity_id === "Y").mentions).toBe(1);
    });

    it("reads a bare --as-of day as the end of that day, and stops at --limit", async () => {
      // Reference 2024-03-30T23:59:59.999999: ages are whole half-days minus 1 microsecond.
      const r = await q("trending", "--as-of", "2024-03-30", "--limit", "2");
      expect(r.reference_time).toBe("2024-03-30T23:59:59.999Z");
      const w = (days: number) => 0.5 ** ((days * 86_400_000_000 - 1) / (7 * 86_400_000_000));
      // Z: 0.5 days: 0.9517. Y: 3, 29.5 and 29.5 days + 1 s (now inside the window): 0.7430 + 0.0538 + 0.0538.
      // X (third, left out by --limit): 6.5 and 13.5 days: 0.5255 + 0.2625 = 0.7880; Mar 31 is after the reference.
      expect(r.entities.map((e: any) => [e.entity_id, e.mentions])).toEqual([["Z", 1], ["Y", 3]]);
      expect(r.entities[0].score).toBeCloseTo(w(0.5), 12);
      expect(r.entities[1].score).toBeCloseTo(w(3) + w(29.5) + w(29.5 + 1 / 86_400), 12);
    });
  });

  describe("risk-trends", () => {
    it("starts weeks on Sunday: Saturday Mar 2 closes the week of Feb 25, Sunday Mar 3 opens the next", async () => {
      const r = await q("risk-trends", "--from", "2024-02-01", "--to", "2024-04-30", "--bucket", "week");
      expect(r.buckets).toEqual([
        { bucket_start: "2024-02-25", avg_risk_score: 30, max_risk_score: 60, event_count: 3 }, // e1, e2, e4: (10 + 20 + 60) / 3
        { bucket_start: "2024-03-03", avg_risk_score: 30, max_risk_score: 30, event_count: 1 }, // e5
        { bucket_start: "2024-03-31", avg_risk_score: 70, max_risk_score: 90, event_count: 2 }, // e6 (Sunday), e7 (Monday): (50 + 90) / 2
      ]);
    });

    it("starts months on the 1st: Feb 29 and Mar 31 stay in their month", async () => {
      const r = await q("risk-trends", "--from", "2024-02-01", "--to", "2024-04-30", "--bucket", "month");
      expect(r.buckets).toEqual([
        { bucket_start: "2024-02-01", avg_risk_score: 10, max_risk_score: 10, event_count: 1 },
        { bucket_start: "2024-03-01", avg_risk_score: 40, max_risk_score: 60, event_count: 4 }, // (20 + 60 + 30 + 50) / 4; e3 has no score
        { bucket_start: "2024-04-01", avg_risk_score: 90, max_risk_score: 90, event_count: 1 },
      ]);
    });

    it("by day, the --to day included through its end", async () => {
      expect((await q("risk-trends", "--from", "2024-03-02", "--to", "2024-03-03", "--bucket", "day")).buckets).toEqual([
        { bucket_start: "2024-03-02", avg_risk_score: 60, max_risk_score: 60, event_count: 1 },
        { bucket_start: "2024-03-03", avg_risk_score: 30, max_risk_score: 30, event_count: 1 },
      ]);
      // e6 at 23:00 on Mar 31 is in; e7 at 00:00 on Apr 1 is not.
      expect((await q("risk-trends", "--from", "2024-03-31", "--to", "2024-03-31", "--bucket", "month")).buckets).toEqual([
        { bucket_start: "2024-03-01", avg_risk_score: 50, max_risk_score: 50, event_count: 1 },
      ]);
    });
  });

  describe("bad and hostile input", () => {
    const fails = async (...args: string[]) => {
      const r = await vwatch(home, repoRoot, "query", ...args);
      expect(r.code).toBe(2);
      return r.err;
    };

    it("answers a hostile --type with zero rows and leaves the table intact", async () => {
      const r = await q("recent-events", "--from", "2024-01-01", "--to", "2024-12-31", "--type", HOSTILE);
      expect(r.events).toEqual([]);
      expect(r.type).toBe(HOSTILE);
      expect(ids(await q("recent-events", "--from", "2024-01-01", "--to", "2024-12-31"))).toHaveLength(7);
    });

    it("refuses hostile or malformed dates, limits and buckets with a clear error (exit 2), changing nothing", async () => {
      expect(await fails("recent-events", "--from", HOSTILE, "--to", "2024-03-02")).toMatch(/--from must be a day YYYY-MM-DD or a UTC timestamp/);
      expect(await fails("recent-events", "--from", "2024-03-01", "--to", "2024-02-30")).toBe('error: --to is not a valid date or time: "2024-02-30"\n');
      expect(await fails("recent-events", "--from", "2024-03-02", "--to", "2024-03-01")).toMatch(/--from 2024-03-02T00:00:00.000000Z is after --to 2024-03-01T23:59:59.999999Z/);
      expect(await fails("recent-events", "--from", "2024-03-01", "--to", "2024-03-02", "--limit", "1; drop table events")).toMatch(/--limit must be a whole number from 1 to 10000/);
      expect(await fails("recent-events", "--from", "2024-03-01", "--to", "2024-03-02", "--limit", "0")).toMatch(/--limit must be/);
      expect(await fails("trending", "--as-of", HOSTILE)).toMatch(/--as-of must be a day/);
      expect(await fails("trending", "--limit", "-5")).toMatch(/--limit must be/);
      expect(await fails("risk-trends", "--from", "2024-03-01", "--to", "2024-03-02", "--bucket", "year")).toBe('error: --bucket must be day, week or month, got "year"\n');
      expect(await fails("risk-trends", "--from", "2024-03-01", "--to", "2024-03-02", "--bucket", HOSTILE)).toMatch(/--bucket must be day, week or month/);
      expect(ids(await q("recent-events", "--from", "2024-01-01", "--to", "2024-12-31"))).toHaveLength(7);
    });
  });
});

describe("vwatch query with another dataset", () => {
  it("reads the tables where the compiled project puts them", async () => {
    const settings = fs.readFileSync(path.join(repoRoot, "workflow_settings.yaml"), "utf8");
    expect(settings).toMatch(/^defaultDataset: analytics$/m);
    const project = copyOwnProject({ "workflow_settings.yaml": settings.replace(/^defaultDataset: analytics$/m, "defaultDataset: app_eu") });
    const home = tempHome();
    await createTables(home, "app_eu");
    expect(ids(await json(home, project, "query", "recent-events", "--from", "2024-03-01", "--to", "2024-03-02"))).toEqual(["e4", "e3", "e2"]);
  });
});

describe("vwatch query on BigQuery (the local fake API)", () => {
  let fake: FakeBigQuery;
  const env = { ...process.env };
  beforeAll(async () => {
    fake = await startFakeBigQuery({ projectId: "venezuelawatch", location: "US" });
    // The application tables exist (the queries refuse to run on a warehouse where they are not built).
    for (const name of ["events", "entity_mentions", "entities"]) {
      fake.tables.register({ target: { database: "venezuelawatch", schema: "analytics", name }, schema: [{ name: "id", type: "STRING" }] });
    }
    process.env.BIGQUERY_EMULATOR_HOST = fake.url;
    process.env.GOOGLE_CLOUD_PROJECT = "venezuelawatch";
  });
  afterAll(async () => {
    process.env = env;
    await fake.close();
  });

  it("sends the SQL with @parameters and the user's input only as query parameters", async () => {
    fake.setQueryResult("`venezuelawatch.analytics.events`", {
      schema: [
        { name: "id", type: "STRING" },
        { name: "mentioned_at", type: "TIMESTAMP" },
        { name: "event_type", type: "STRING" },
        { name: "risk_score", type: "FLOAT" },
      ],
      rows: [{ id: "e9", mentioned_at: "2024-03-02T10:00:00Z", event_type: HOSTILE, risk_score: 12.5 }],
    });
    const r = await json(tempHome(), repoRoot, "query", "recent-events", "--warehouse", "bigquery", "--from", "2024-03-01", "--to", "2024-03-02", "--type", HOSTILE, "--limit", "5");
    expect(r.events).toEqual([{ id: "e9", mentioned_at: "2024-03-02T10:00:00.000Z", event_type: HOSTILE, risk_score: 12.5 }]);
    const job = fake.queries().at(-1)!;
    expect(job.sql).toContain("from `venezuelawatch.analytics.events`");
    expect(job.sql).toContain("and event_type = @event_type");
    expect(job.sql).not.toContain("drop table");
    expect(job.parameterMode?.toUpperCase()).toBe("NAMED");
    const params = Object.fromEntries(job.queryParameters!.map((p: any) => [p.name, [p.parameterType.type, p.parameterValue.value]]));
    expect(params).toEqual({
      from_time: ["STRING", "2024-03-01 00:00:00.000000"],
      to_time: ["STRING", "2024-03-02 23:59:59.999999"],
      event_type: ["STRING", HOSTILE],
      row_limit: ["INT64", 5],
    });
  });

  it("runs trending and risk-trends as BigQuery SQL with the compiled project's table names", async () => {
    const before = fake.queries().length;
    expect((await vwatch(tempHome(), repoRoot, "query", "trending", "--warehouse", "bigquery", "--as-of", "2024-03-31", "--json")).code).toBe(0);
    expect((await vwatch(tempHome(), repoRoot, "query", "risk-trends", "--warehouse", "bigquery", "--from", "2024-03-01", "--to", "2024-03-31", "--bucket", "week", "--json")).code).toBe(0);
    const jobs = fake.queries().slice(before);
    expect(jobs[0].sql).toBe("select timestamp(@as_of) as reference_time");
    expect(jobs[0].queryParameters).toEqual([{ name: "as_of", parameterType: { type: "STRING" }, parameterValue: { value: "2024-03-31 23:59:59.999999" } }]);
    const risk = jobs.at(-1)!;
    expect(risk.sql).toContain("date_trunc(day, week) as bucket_start");
    expect(risk.sql).toContain("from `venezuelawatch.analytics.events`");
  });
});
