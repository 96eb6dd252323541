import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { EVENT_COLUMNS, MENTION_COLUMNS } from "../../orchestrator/load/gdelt-schema";
import { writeMentionFiles } from "../../orchestrator/generate/mention-files";
import { generateMentionSlices, type MentionsSpec } from "../../orchestrator/generate/mentions";

const FIXTURES = path.join(__dirname, "..", "fixtures", "gdelt");
const fixture = (name: string) => path.join(FIXTURES, name);
const EVENTS = "\"gdelt-bq.gdeltv2\".events_partitioned";
const MENTIONS = "\"gdelt-bq.gdeltv2\".eventmentions_partitioned";

let instance: DuckDBInstance;
let db: DuckDBConnection;
let tmp: string;

beforeEach(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-load-test-"));
});

afterEach(() => {
  db.closeSync();
  instance.closeSync();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function count(table: string): Promise<number> {
  return Number((await rows(`select count(*) as n from ${table}`))[0].n);
}

const GOOD = ["20150218231500.export.CSV", "20150218231500.mentions.CSV", "20150218230000.mentions.CSV.gz", "20150218233000.mentions.CSV.zip"];

describe("vwatch load gdelt", () => {
  it("loads plain, .gz and .zip files and reports rows per file", async () => {
    const results = await loadGdeltFiles(db, GOOD.map(fixture));
    expect(results.map((r) => [r.name, r.kind, r.status, r.rows])).toEqual([
      ["20150218231500.export.CSV", "events", "loaded", 8],
      ["20150218231500.mentions.CSV", "mentions", "loaded", 4],
      ["20150218230000.mentions.CSV", "mentions", "loaded", 5],
      ["20150218233000.mentions.CSV", "mentions", "loaded", 4],
    ]);
    expect(await count(EVENTS)).toBe(8);
    expect(await count(MENTIONS)).toBe(13);
  });

  it("creates the tables with BigQuery's column names and types plus a real _PARTITIONTIME column", async () => {
    await loadGdeltFiles(db, [fixture("20150218231500.export.CSV"), fixture("20150218231500.mentions.CSV")]);
    const types = { INT64: "BIGINT", FLOAT64: "DOUBLE", STRING: "VARCHAR" };
    for (const [table, columns] of [["events_partitioned", EVENT_COLUMNS], ["eventmentions_partitioned", MENTION_COLUMNS]] as const) {
      const actual = await rows(
        `select column_name, data_type from information_schema.columns where table_schema = 'gdelt-bq.gdeltv2' and table_name = '${table}' order by ordinal_position`,
      );
      expect(actual).toEqual([
        ...columns.map((c) => ({ column_name: c.name, data_type: types[c.type] })),
        { column_name: "_PARTITIONTIME", data_type: "TIMESTAMP WITH TIME ZONE" },
      ]);
    }
    expect(EVENT_COLUMNS).toHaveLength(61);
    expect(MENTION_COLUMNS).toHaveLength(16);
  });

  it("keeps codes and FeatureIDs as text, turns empty fields into NULL and fills _PARTITIONTIME with the UTC day", async () => {
    await loadGdeltFiles(db, [fixture("20150218231500.export.CSV"), fixture("20150218231500.mentions.CSV")]);
    const [event] = await rows(
      `select GLOBALEVENTID, SQLDATE, Actor1Code, Actor2Code, EventCode, EventRootCode, GoldsteinScale, AvgTone, ActionGeo_Type, ActionGeo_CountryCode,
              ActionGeo_ADM2Code, ActionGeo_Lat, ActionGeo_FeatureID, DATEADDED, strftime(_PARTITIONTIME at time zone 'UTC', '%Y-%m-%d %H:%M:%S') as p
       from ${EVENTS} where GLOBALEVENTID = 410417488`,
    );
    expect(event).toEqual({
      GLOBALEVENTID: 410417488n,
      SQLDATE: 20150218n,
      Actor1Code: "USAMED",
      Actor2Code: null,
      EventCode: "070",
      EventRootCode: "07",
      GoldsteinScale: 7,
      AvgTone: -4.60122699386503,
      ActionGeo_Type: 1n,
      ActionGeo_CountryCode: "VE",
      ActionGeo_ADM2Code: null,
      ActionGeo_Lat: 8,
      ActionGeo_FeatureID: "VE",
      DATEADDED: 20150218231500n,
      p: "2015-02-18 00:00:00",
    });
    const [other] = await rows(`select ActionGeo_ADM2Code, ActionGeo_FeatureID from ${EVENTS} where GLOBALEVENTID = 410415416`);
    expect(other).toEqual({ ActionGeo_ADM2Code: "22379", ActionGeo_FeatureID: "-979186" });
    const [mention] = await rows(
      `select MentionType, MentionSourceName, SentenceID, Confidence, MentionDocLen, MentionDocTone, MentionDocTranslationInfo, Extras
       from ${MENTIONS} where GLOBALEVENTID = 410415546`,
    );
    expect(mention).toEqual({
      MentionType: 1n,
      MentionSourceName: "ap.org",
      SentenceID: 3n,
      Confidence: 100n,
      MentionDocLen: 2075n,
      MentionDocTone: -4.60122699386503,
      MentionDocTranslationInfo: null,
      Extras: null,
    });
  });

  it("skips files loaded before, also when the same content comes plain instead of gzipped", async () => {
    await loadGdeltFiles(db, GOOD.map(fixture));
    const plainCopy = path.join(tmp, "20150218230000.mentions.CSV");
    fs.writeFileSync(plainCopy, require("zlib").gunzipSync(fs.readFileSync(fixture("20150218230000.mentions.CSV.gz"))));
    const again = await loadGdeltFiles(db, [...GOOD.map(fixture), plainCopy]);
    expect(again.map((r) => [r.status, r.reason])).toEqual(Array(5).fill(["skipped", "already loaded"]));
    expect(await count(EVENTS)).toBe(8);
    expect(await count(MENTIONS)).toBe(13);
    expect(await rows(`select file_name, kind, "rows" from vwatch.loaded_files order by file_name`)).toEqual([
      { file_name: "20150218230000.mentions.CSV", kind: "mentions", rows: 5n },
      { file_name: "20150218231500.export.CSV", kind: "events", rows: 8n },
      { file_name: "20150218231500.mentions.CSV", kind: "mentions", rows: 4n },
      { file_name: "20150218233000.mentions.CSV", kind: "mentions", rows: 4n },
    ]);
  });

  it("a file loaded before is reported skipped with the kind it was loaded as, whatever --kind says", async () => {
    await loadGdeltFiles(db, [fixture("20150218231500.mentions.CSV")]);
    const again = await loadGdeltFiles(db, [fixture("20150218231500.mentions.CSV")], { kind: "events" });
    expect(again.map((r) => [r.status, r.kind, r.rows, r.reason])).toEqual([["skipped", "mentions", 4, "already loaded"]]);
    expect(await count(MENTIONS)).toBe(4);
  });

  it("rejects a file with a bad number, naming file, line and column, and loads none of its rows", async () => {
    await loadGdeltFiles(db, GOOD.map(fixture));
    const bad = fixture("bad/20150218234500.mentions.CSV");
    const [result] = await loadGdeltFiles(db, [bad]);
    expect(result).toMatchObject({ status: "failed", rows: 0, error: `${bad} line 3, column Confidence (12): expected an integer, got "5O"; the file was not loaded` });
    expect(await count(MENTIONS)).toBe(13);
    expect(await count("vwatch.loaded_files")).toBe(4);
  });

  it("rejects a line with the wrong number of columns", async () => {
    const bad = fixture("bad/20150218234500.export.CSV");
    const [result] = await loadGdeltFiles(db, [bad]);
    expect(result.status).toBe("failed");
    expect(result.error).toBe(`${bad} line 2: 60 columns, but an events (export) line has 61; the first missing is SOURCEURL (column 61); the file was not loaded`);
    expect(await count(EVENTS)).toBe(0);
  });

  it("rejects a bad timestamp and a changed file under a name loaded before", async () => {
    const lines = fs.readFileSync(fixture("20150218231500.mentions.CSV"), "utf8").split("\n");
    const badTime = path.join(tmp, "20150218231500.mentions.CSV");
    fs.writeFileSync(badTime, [lines[0], lines[1].replace("\t20150218231500\t1\t", "\t20150218236000\t1\t"), ...lines.slice(2)].join("\n"));
    const [error] = await loadGdeltFiles(db, [badTime]);
    expect(error.error).toBe(`${badTime} line 2, column MentionTimeDate (3): expected a YYYYMMDDHHMMSS timestamp, got "20150218236000"; the file was not loaded`);
    expect(await count(MENTIONS)).toBe(0);

    await loadGdeltFiles(db, [fixture("20150218231500.mentions.CSV")]);
    fs.writeFileSync(badTime, lines.slice(0, 2).join("\n") + "\n");
    const [changed] = await loadGdeltFiles(db, [badTime]);
    expect(changed.status).toBe("failed");
    expect(changed.error).toMatch(/20150218231500\.mentions\.CSV was loaded before \(4 rows\) with different content/);
    expect(await count(MENTIONS)).toBe(4);
  });

  it("refuses a file whose type the name does not tell", async () => {
    const file = path.join(tmp, "events.tsv");
    fs.copyFileSync(fixture("20150218231500.export.CSV"), file);
    const [result] = await loadGdeltFiles(db, [file]);
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/cannot tell the GDELT file type/);
  });
});

describe("vwatch generate mentions", () => {
  const spec: MentionsSpec = {
    events: [
      { id: 410415546, eventTime: "20150218231500", tone: -4.6 },
      { id: 410417499, eventTime: "20150218231500" },
      { id: 900000001 },
    ],
    days: 10,
    end: "2015-02-27",
    seed: 2,
    rowsPerDay: 40,
  };

  const read = (dir: string) =>
    Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));

  it("writes byte-identical files for the same seed and different ones for another seed", async () => {
    for (const [dir, seed, gzip] of [["a", 2, true], ["b", 2, true], ["c", 3, true], ["d", 2, false]] as const) {
      await writeMentionFiles({ ...spec, seed }, { outDir: path.join(tmp, dir), per: "day", gzip });
    }
    const a = read(path.join(tmp, "a"));
    expect(Object.keys(a)).toContain("20150219.mentions.CSV.gz");
    expect(Object.keys(a)).toContain("SYNTHETIC.md");
    expect(read(path.join(tmp, "b"))).toEqual(a);
    expect(read(path.join(tmp, "c"))).not.toEqual(a);
    const [first] = generateMentionSlices(spec);
    const plain = fs.readFileSync(path.join(tmp, "d", `${first.day}.mentions.CSV`), "utf8");
    expect(plain.split("\n")[0].split("\t")).toHaveLength(16);
  });

  it("writes one file per UTC day named YYYYMMDD.mentions.CSV with --per day, and they load", async () => {
    const out = path.join(tmp, "days");
    const written = await writeMentionFiles(spec, { outDir: out, per: "day", gzip: true });
    expect(written.files.map((f) => f.name)).toEqual(
      ["20150218", "20150219", "20150220", "20150221", "20150222", "20150223", "20150224", "20150225", "20150226", "20150227"].map((d) => `${d}.mentions.CSV.gz`),
    );
    const results = await loadGdeltFiles(db, written.files.map((f) => path.join(out, f.name)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("loaded"));
    expect(await count(MENTIONS)).toBe(written.rows);
    const days = await rows(`select count(distinct substr(MentionTimeDate::varchar, 1, 8)) as days, count(*) filter (where _PARTITIONTIME::date <> strptime(substr(MentionTimeDate::varchar, 1, 8), '%Y%m%d')::date) as off from ${MENTIONS}`);
    expect(days).toEqual([{ days: 10n, off: 0n }]);
  });

  it("writes loadable, clearly synthetic mentions that never precede the event", async () => {
    const out = path.join(tmp, "slices");
    const written = await writeMentionFiles(spec, { outDir: out, per: "15min" });
    expect(written.files.every((f) => /^2015022[0-7]|^2015021[89]/.test(f.name) && f.name.endsWith(".mentions.CSV"))).toBe(true);
    const files = written.files.map((f) => path.join(out, f.name));
    const results = await loadGdeltFiles(db, files);
    expect(results.reduce((a, r) => a + r.rows, 0)).toBe(written.rows);
    const [check] = await rows(
      `select count(*) filter (where MentionSourceName not like '%.synthetic.example') as real_looking,
              count(*) filter (where MentionTimeDate < EventTimeDate) as before_event,
              count(*) filter (where MentionType <> 1) as other_type,
              count(*) filter (where Confidence % 10 <> 0 or Confidence not between 10 and 100) as odd_confidence,
              min(MentionTimeDate) filter (where GLOBALEVENTID = 410415546) as first_mention
       from ${MENTIONS}`,
    );
    expect(check).toEqual({ real_looking: 0n, before_event: 0n, other_type: 0n, odd_confidence: 0n, first_mention: expect.any(BigInt) });
    expect(check.first_mention as bigint).toBeGreaterThanOrEqual(20150218231500n);
    expect(fs.readFileSync(path.join(out, "SYNTHETIC.md"), "utf8")).toMatch(/^# SYNTHETIC GDELT mentions — not real data/);
  });
});
