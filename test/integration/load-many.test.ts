import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// Loading many files: each file all or nothing, the others still loaded, every failure reported,
// exit 2 when any failed; one progress line instead of a line per file.

const SAMPLES = path.join(repoRoot, "samples");
const inFolder = (folder: string) => fs.readdirSync(path.join(SAMPLES, folder)).filter((f) => f.endsWith(".gz")).sort().map((f) => path.join(SAMPLES, folder, f));
const REAL = inFolder("gdelt");
const SYNTHETIC = inFolder("gdelt-synthetic");
const FRED_WTI = path.join(repoRoot, "test", "fixtures", "economic", "DCOILWTICO_observation_date.csv");
const FRED_BRENT = path.join(SAMPLES, "economic", "fred", "DCOILBRENTEU.csv");

const counts = async (home: string) =>
  (
    await warehouseRows(
      home,
      `select (select count(*) from "gdelt-bq.gdeltv2".events_partitioned) as events, (select count(*) from "gdelt-bq.gdeltv2".eventmentions_partitioned) as mentions`,
    )
  )[0];

describe("vwatch load gdelt with many files", () => {
  it("loads every good file past the bad ones, reports each failure, exits 2, and shows progress instead of a line per file", async () => {
    const home = tempHome();
    const dir = path.join(home, "in");
    fs.mkdirSync(dir);
    const empty = path.join(dir, "20150219000000.export.CSV");
    fs.writeFileSync(empty, "");
    const lines = zlib.gunzipSync(fs.readFileSync(REAL[1])).toString("utf8").split("\n");
    const fields = lines[6].split("\t");
    fields[2] = "2015021823000x"; // MentionTimeDate
    lines[6] = fields.join("\t");
    const bad = path.join(dir, "20150218230000.mentions.CSV");
    fs.writeFileSync(bad, lines.join("\n"));
    const files = [REAL[0], empty, ...REAL.slice(2), bad, ...SYNTHETIC];
    expect(files.length).toBeGreaterThan(30);

    const r = await runCli(["--home", home, "load", "gdelt", ...files]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
      `error: ${empty}: the file is empty (0 bytes); download it again`,
      `error: ${bad} line 7, column MentionTimeDate (3): expected a YYYYMMDDHHMMSS timestamp, got "2015021823000x"; the file was not loaded`,
    ]);
    // No line per file: the progress ends with one line counting them all.
    expect(r.err).not.toMatch(/^loaded /m);
    expect(r.err).toMatch(new RegExp(`^loading ${files.length}/${files.length} files, [\\d,]+ rows in `, "m"));
    expect(r.err.split("\n").length).toBeLessThan(12);
    const mentionRows = 37208 - 8462 + 3107;
    expect(await counts(home)).toEqual({ events: 8709, mentions: mentionRows });
    expect(r.out.trim().split("\n").at(-1)).toBe(`${files.length - 2} loaded (${8709 + mentionRows} rows), 0 skipped as already loaded, 2 failed`);

    // The failed files can be fixed and loaded later; the rest is skipped.
    const again = await runCli(["--home", home, "load", "gdelt", ...REAL]);
    expect(again.code).toBe(0);
    expect(await counts(home)).toEqual({ events: 8709, mentions: 37208 + 3107 });
  });

  it("keeps a line per file for a handful of files", async () => {
    const home = tempHome();
    const r = await runCli(["--home", home, "load", "gdelt", ...REAL.slice(0, 3)]);
    expect(r.code).toBe(0);
    expect(r.err.split("\n").filter((l) => /^loaded /.test(l))).toEqual([
      "loaded  20150218230000.export.CSV.gz: 2271 events rows",
      "loaded  20150218230000.mentions.CSV.gz: 8462 mentions rows",
      "loaded  20150218231500.export.CSV.gz: 2102 events rows",
    ]);
  });
});

describe("vwatch load fred|worldbank|comtrade with several files", () => {
  it("loads the good files past a bad one, reports it, and exits 2", async () => {
    const home = tempHome();
    const notFred = path.join(home, "notes.csv");
    fs.writeFileSync(notFred, "name,value\na,1\n");
    const r = await runCli(["--home", home, "load", "fred", FRED_WTI, notFred, FRED_BRENT]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
      `error: ${notFred}: not a FRED CSV download: the header must be DATE,<SERIES> or observation_date,<SERIES>, got "name,value"`,
    ]);
    expect(await warehouseRows(home, "select series_id, count(*) as n from raw_economics.fred_observations group by 1 order by 1")).toEqual([
      { series_id: "DCOILBRENTEU", n: 1565 },
      { series_id: "DCOILWTICO", n: 1545 },
    ]);
    expect(r.out).toMatch(/notes\.csv\s+failed/);
  });
});

describe("vwatch load with a folder or a missing file", () => {
  it("a folder stands for the loadable files in it; a missing file says so; a folder without any is refused", async () => {
    const home = tempHome();
    const dir = path.join(home, "in");
    fs.mkdirSync(dir);
    for (const f of REAL) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    fs.writeFileSync(path.join(dir, "README.txt"), "not a GDELT file");
    const missing = path.join(home, "20150218230000.export.CSV");

    const r = await runCli(["--home", home, "load", "gdelt", dir, missing]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([`error: ${missing}: no such file`]);
    expect(r.out.trim().split("\n").at(-1)).toBe(`${REAL.length} loaded (${8709 + 37208} rows), 0 skipped as already loaded, 1 failed`);
    expect(await counts(home)).toEqual({ events: 8709, mentions: 37208 });

    const economic = path.join(home, "fred");
    fs.mkdirSync(economic);
    fs.copyFileSync(FRED_BRENT, path.join(economic, "DCOILBRENTEU.csv"));
    const fred = await runCli(["--home", home, "load", "fred", economic]);
    expect(fred.code).toBe(0);
    expect(fred.out).toMatch(/DCOILBRENTEU\.csv\s+loaded/);

    const none = path.join(home, "empty-folder");
    fs.mkdirSync(none);
    const refused = await runCli(["--home", home, "load", "gdelt", none]);
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toBe(`error: ${none} is a folder without GDELT files; name the files to load`);
  });
});
