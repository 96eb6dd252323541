import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// Item 6 of issue 10: one bad download must not block the real file for good. The real GDELT
// files here are the bundled samples (origins in samples/SOURCES.md); damaged copies are made
// from them in each test.

const SAMPLES = path.join(repoRoot, "samples", "gdelt");
const sample = (name: string) => path.join(SAMPLES, `${name}.gz`);
const plain = (name: string) => zlib.gunzipSync(fs.readFileSync(sample(name))).toString("utf8");
const EVENTS = `"gdelt-bq.gdeltv2".events_partitioned`;

function write(dir: string, name: string, content: string | Uint8Array): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const count = async (home: string, where = "true") => Number((await warehouseRows(home, `select count(*) as n from ${EVENTS} where ${where}`))[0].n);
const errorLines = (err: string) => err.split("\n").filter((l) => l.startsWith("error: "));
const ledger = (home: string) => warehouseRows(home, `select file_name, "rows" from vwatch.loaded_files order by file_name`);

describe("vwatch load gdelt: empty and damaged downloads", () => {
  it("refuses an empty file, an empty gzip and a zip with an empty member with exit 2 naming each, and the real files load after them", async () => {
    const home = tempHome();
    const bad = path.join(home, "bad");
    const files = [
      write(bad, "20150218230000.export.CSV", ""),
      write(bad, "20150218231500.export.CSV.gz", zlib.gzipSync(Buffer.alloc(0))),
      write(bad, "20150218233000.export.CSV.zip", zipSync({ "20150218233000.export.CSV": new Uint8Array(0) })),
      write(bad, "20150218234500.export.CSV", "\n\n"),
    ];
    const refused = await runCli(["--home", home, "load", "gdelt", ...files]);
    expect(refused.code).toBe(2);
    expect(errorLines(refused.err)).toEqual([
      `error: ${files[0]}: the file is empty (0 bytes); download it again`,
      `error: ${files[1]}: the gzip content is empty (0 bytes once decompressed); download it again`,
      `error: ${files[2]}: 20150218233000.export.CSV in the zip is empty (0 bytes); download it again`,
      `error: ${files[3]}: holds no rows, only empty lines; download it again`,
    ]);
    expect(await ledger(home)).toEqual([]);

    const real = ["20150218230000.export.CSV", "20150218231500.export.CSV", "20150218233000.export.CSV", "20150218234500.export.CSV"].map(sample);
    const loaded = await runCli(["--home", home, "load", "gdelt", ...real]);
    expect(loaded.code).toBe(0);
    expect(await count(home)).toBe(2271 + 2102 + 2084 + 2252);
  });

  it("replaces a copy cut at a line boundary with the full file on --replace, in one transaction, and leaves other files' rows alone", async () => {
    const home = tempHome();
    const lines = plain("20150218231500.export.CSV").split("\n");
    const cut = write(path.join(home, "cut"), "20150218231500.export.CSV", lines.slice(0, 1000).join("\n") + "\n");
    expect((await runCli(["--home", home, "load", "gdelt", cut, sample("20150218230000.export.CSV")])).code).toBe(0);
    expect(await count(home)).toBe(1000 + 2271);

    // Without --replace the full copy is refused, saying what to type.
    const full = sample("20150218231500.export.CSV");
    const refused = await runCli(["--home", home, "load", "gdelt", full]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`error: ${full}: 20150218231500.export.CSV was loaded before (1000 rows) with different content`);
    expect(refused.err).toContain(`vwatch load gdelt --replace ${full}`);
    expect(await count(home)).toBe(1000 + 2271);

    // A replacement that is itself bad changes nothing.
    const badLines = [...lines];
    badLines[5] = badLines[5].replace(/^\d+/, "x");
    const badCopy = write(path.join(home, "bad"), "20150218231500.export.CSV", badLines.join("\n"));
    const bad = await runCli(["--home", home, "load", "gdelt", "--replace", badCopy]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`error: ${badCopy} line 6, column GLOBALEVENTID (1): expected an integer, got "x"; the file was not loaded`);
    expect(await count(home, "DATEADDED = 20150218231500")).toBe(1000);

    const replaced = await runCli(["--home", home, "load", "gdelt", "--replace", full]);
    expect(replaced.code).toBe(0);
    expect(replaced.out).toMatch(/20150218231500\.export\.CSV\.gz\s+events\s+replaced\s+2102/);
    expect(await count(home, "DATEADDED = 20150218231500")).toBe(2102);
    expect(await count(home, "DATEADDED = 20150218230000")).toBe(2271);
    expect(await count(home)).toBe(2102 + 2271);
    expect(await ledger(home)).toEqual([
      { file_name: "20150218230000.export.CSV", rows: 2271 },
      { file_name: "20150218231500.export.CSV", rows: 2102 },
    ]);

    // Replacing with the same content again changes nothing.
    const again = await runCli(["--home", home, "load", "gdelt", "--replace", full]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/20150218231500\.export\.CSV\.gz\s+events\s+skipped\s+2102/);
    expect(await count(home)).toBe(2102 + 2271);
  });

  it("does not let a 0-row ledger entry (left by earlier versions for an empty file) block the real file", async () => {
    const home = tempHome();
    expect((await runCli(["--home", home, "load", "gdelt", sample("20150218230000.export.CSV")])).code).toBe(0);
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"));
    await db.execute(
      `insert into vwatch.loaded_files values ('20150218233000.export.CSV', 'events', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 0, now())`,
    );
    await db.close();
    const real = await runCli(["--home", home, "load", "gdelt", sample("20150218233000.export.CSV")]);
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/20150218233000\.export\.CSV\.gz\s+events\s+replaced\s+2084/);
    expect(await count(home, "DATEADDED = 20150218233000")).toBe(2084);
    expect(await ledger(home)).toEqual([
      { file_name: "20150218230000.export.CSV", rows: 2271 },
      { file_name: "20150218233000.export.CSV", rows: 2084 },
    ]);
  });
});

describe("vwatch load gdelt: a file's rows carry the time in its name", () => {
  it("refuses a file whose rows are stamped with another time than its name, and a name without a time", async () => {
    const home = tempHome();
    const renamed = write(path.join(home, "in"), "20150218230000.export.CSV", plain("20150218231500.export.CSV"));
    const r = await runCli(["--home", home, "load", "gdelt", renamed]);
    expect(r.code).toBe(2);
    expect(errorLines(r.err)).toEqual([
      `error: ${renamed} line 1, column DATEADDED (60): 20150218231500, but the file's name says 20150218230000; ` +
        `GDELT stamps every row of a file with the time in its name (was the file renamed?); the file was not loaded`,
    ]);
    const unnamed = write(path.join(home, "in"), "venezuela.export.CSV", plain("20150218231500.export.CSV"));
    const u = await runCli(["--home", home, "load", "gdelt", unnamed]);
    expect(u.code).toBe(2);
    expect(errorLines(u.err)).toEqual([
      `error: ${unnamed}: the name does not start with the file's time (GDELT's YYYYMMDDHHMMSS.export.CSV / .mentions.CSV, or YYYYMMDD for a day's file); ` +
        `vwatch tells a file's rows apart by that time, so it loads only files named so`,
    ]);
    expect(await count(home)).toBe(0);
  });

  it("holds in the real files: every bundled export row has DATEADDED and every mentions row MentionTimeDate equal to its file's time", async () => {
    const home = tempHome();
    const files = fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".gz")).map((f) => path.join(SAMPLES, f));
    expect((await runCli(["--home", home, "load", "gdelt", ...files])).code).toBe(0);
    const mentions = `"gdelt-bq.gdeltv2".eventmentions_partitioned`;
    const times = await warehouseRows(
      home,
      `select 'events' as kind, DATEADDED as t, count(*) as n from ${EVENTS} group by all
       union all select 'mentions', MentionTimeDate, count(*) from ${mentions} group by all order by 1, 2`,
    );
    expect(times).toEqual([
      { kind: "events", t: 20150218230000, n: 2271 },
      { kind: "events", t: 20150218231500, n: 2102 },
      { kind: "events", t: 20150218233000, n: 2084 },
      { kind: "events", t: 20150218234500, n: 2252 },
      { kind: "mentions", t: 20150218230000, n: 8462 },
      { kind: "mentions", t: 20150218231500, n: 8857 },
      { kind: "mentions", t: 20150218233000, n: 9709 },
      { kind: "mentions", t: 20150218234500, n: 10180 },
    ]);
  });

  it("refuses a file whose time range is already held by other files, so replacing one never deletes another's rows", async () => {
    const home = tempHome();
    // A synthetic day file (vwatch generate mentions --per day) and a 15-minute file of the same day.
    const day = write(path.join(home, "in"), "20150220.mentions.CSV", mentionRow(410417500, "20150220011500") + "\n" + mentionRow(410417500, "20150220120000") + "\n");
    const slice = write(path.join(home, "in"), "20150220011500.mentions.CSV", mentionRow(410417501, "20150220011500") + "\n");
    expect((await runCli(["--home", home, "load", "gdelt", day])).code).toBe(0);
    const r = await runCli(["--home", home, "load", "gdelt", slice]);
    expect(r.code).toBe(2);
    expect(errorLines(r.err)).toEqual([
      `error: ${slice}: the warehouse already holds 1 mentions row(s) stamped 20150220011500, loaded from 20150220.mentions.CSV; ` +
        `a file's rows are told apart by their time, so two files cannot share one; the file was not loaded`,
    ]);
    expect(await warehouseRows(home, `select count(*) as n from "gdelt-bq.gdeltv2".eventmentions_partitioned`)).toEqual([{ n: 2 }]);
  });
});

function mentionRow(id: number, time: string): string {
  return [id, "20150218231500", time, 1, "a.synthetic.example", `https://a.synthetic.example/${id}/${time}`, 1, -1, -1, 10, 1, 50, 900, -2.5, "", ""].join("\t");
}
