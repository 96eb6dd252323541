import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// Bad input to every loader: one line naming the file (and line and column where there is one),
// exit 2, nothing of the file loaded, no stack trace.

const SAMPLES = path.join(repoRoot, "samples");
const GDELT = (name: string) => path.join(SAMPLES, "gdelt", name);
const plain = (name: string) => zlib.gunzipSync(fs.readFileSync(GDELT(`${name}.gz`))).toString("utf8");
const COMTRADE = path.join(SAMPLES, "economic", "comtrade", "comtrade_data.csv.gz");
const WB_ZIP = path.join(SAMPLES, "economic", "worldbank", "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.zip");

function write(home: string, name: string, content: string | Uint8Array): string {
  const dir = path.join(home, "in");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

/** The error lines of a run; fails on anything that looks like a stack trace. */
function errors(err: string): string[] {
  expect(err).not.toMatch(/^\s+at /m);
  return err.split("\n").filter((l) => l.startsWith("error: "));
}

const tableCount = async (home: string, table: string) => {
  const exists = await warehouseRows(home, `select count(*) as n from duckdb_tables() where schema_name || '.' || table_name = '${table}'`);
  if (exists[0].n === 0) return 0;
  return (await warehouseRows(home, `select count(*) as n from "${table.split(".").slice(0, -1).join(".")}"."${table.split(".").pop()}"`))[0].n;
};

describe("a NUL byte in a field is refused at load time with file, line and column", () => {
  it("GDELT", async () => {
    const home = tempHome();
    const lines = plain("20150218230000.mentions.CSV").split("\n");
    const fields = lines[2].split("\t");
    fields[4] += "\0x";
    lines[2] = fields.join("\t");
    const file = write(home, "20150218230000.mentions.CSV", lines.join("\n"));
    const r = await runCli(["--home", home, "load", "gdelt", file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([
      `error: ${file} line 3, column MentionSourceName (5): contains a NUL byte (0x00), which PostgreSQL cannot store in text; the file was not loaded`,
    ]);
    expect(await tableCount(home, "gdelt-bq.gdeltv2.eventmentions_partitioned")).toBe(0);
  });

  it("GDELT text that is not UTF-8 is refused too", async () => {
    const home = tempHome();
    const lines = plain("20150218230000.mentions.CSV").split("\n");
    // A 0xFF byte (Latin-1 "ÿ", never valid in UTF-8) at the start of line 4's second field.
    const [before, after] = [lines.slice(0, 3).join("\n") + "\n" + lines[3].split("\t")[0] + "\t", lines[3].split("\t").slice(1).join("\t") + "\n" + lines.slice(4).join("\n")];
    const latin1 = Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]);
    const file = write(home, "20150218230000.mentions.CSV", latin1);
    const r = await runCli(["--home", home, "load", "gdelt", file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`error: ${file} line 4, column EventTimeDate (2): not valid UTF-8 text (GDELT files are UTF-8); the file was not loaded`]);
  });

  it("FRED, World Bank and Comtrade", async () => {
    const home = tempHome();
    const fred = write(home, "DCOILWTICO.csv", "DATE,DCOILWTICO\n2024-01-01,70\n2024-01-02,7\u00001\n");
    const comtradeText = zlib.gunzipSync(fs.readFileSync(COMTRADE)).toString("latin1").split("\n");
    comtradeText[3] = comtradeText[3].replace("Rep. of Moldova", "Rep. of \0Moldova");
    const comtrade = write(home, "comtrade.csv", Buffer.from(comtradeText.join("\n"), "latin1"));
    const wb = write(home, "API_X_DS2_en_csv_v2_1.csv", '"Country Name","Country Code","Indicator Name","Indicator Code","2019",\n"Venezuela, RB","VEN","GDP","NY.GDP","1\u0000",\n');
    const r = await runCli(["--home", home, "load", "fred", fred]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`error: ${fred} line 3, column DCOILWTICO (2): contains a NUL byte (0x00), which PostgreSQL cannot store in text; the file was not loaded`]);
    const c = await runCli(["--home", home, "load", "comtrade", comtrade]);
    expect(c.code).toBe(2);
    expect(errors(c.err)).toEqual([`error: ${comtrade} line 4, column Reporter (10): contains a NUL byte (0x00), which PostgreSQL cannot store in text; the file was not loaded`]);
    const w = await runCli(["--home", home, "load", "worldbank", wb]);
    expect(w.code).toBe(2);
    expect(errors(w.err)).toEqual([`error: ${wb} line 2, column 2019 (5): contains a NUL byte (0x00), which PostgreSQL cannot store in text; the file was not loaded`]);
    for (const t of ["raw_economics.fred_observations", "raw_economics.comtrade_records", "raw_economics.world_bank_observations"]) expect(await tableCount(home, t)).toBe(0);
  });
});

describe("corrupt archives get the same one-line error from every loader", () => {
  it("a truncated .gz and a truncated .zip, to load gdelt, comtrade and worldbank", async () => {
    const home = tempHome();
    const gz = write(home, "comtrade_data.csv.gz", fs.readFileSync(COMTRADE).subarray(0, 20000));
    const zip = write(home, "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.zip", fs.readFileSync(WB_ZIP).subarray(0, 20000));
    const gdeltGz = write(home, "20150218230000.export.CSV.gz", fs.readFileSync(GDELT("20150218230000.export.CSV.gz")).subarray(0, 20000));
    const gdeltZipBytes = zipSync({ "20150218231500.export.CSV": Buffer.from(plain("20150218231500.export.CSV")) });
    const gdeltZip = write(home, "20150218231500.export.CSV.zip", gdeltZipBytes.subarray(0, 20000));

    const c = await runCli(["--home", home, "load", "comtrade", gz]);
    const w = await runCli(["--home", home, "load", "worldbank", zip]);
    const g = await runCli(["--home", home, "load", "gdelt", gdeltGz, gdeltZip]);
    expect([c.code, w.code, g.code]).toEqual([2, 2, 2]);
    expect(errors(c.err)).toEqual([`error: ${gz}: cannot read gzip content: unexpected end of file`]);
    expect(errors(w.err)).toEqual([`error: ${zip}: cannot read zip content: API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv is cut short (an incomplete download?)`]);
    expect(errors(g.err)).toEqual([
      `error: ${gdeltGz}: cannot read gzip content: unexpected end of file`,
      `error: ${gdeltZip}: cannot read zip content: 20150218231500.export.CSV is cut short (an incomplete download?)`,
    ]);
  });

  it("empty files and archives to the economic loaders", async () => {
    const home = tempHome();
    const files = [
      write(home, "DCOILWTICO.csv", ""),
      write(home, "DCOILBRENTEU.csv.gz", zlib.gzipSync(Buffer.alloc(0))),
      write(home, "fred.zip", zipSync({ "DCOILWTICO.csv": new Uint8Array(0) })),
    ];
    const r = await runCli(["--home", home, "load", "fred", ...files]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([
      `error: ${files[0]}: the file is empty (0 bytes); download it again`,
      `error: ${files[1]}: the gzip content is empty (0 bytes once decompressed); download it again`,
      `error: ${files[2]}: DCOILWTICO.csv in the zip is empty (0 bytes); download it again`,
    ]);
  });
});

describe("load gdelt messages say what is wrong", () => {
  it("--kind mentions on an export file says it looks like an events file and to drop --kind", async () => {
    const home = tempHome();
    const file = GDELT("20150218230000.export.CSV.gz");
    const r = await runCli(["--home", home, "load", "gdelt", "--kind", "mentions", file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([
      `error: ${file} line 1: 61 columns, but a mentions line has 16; it looks like an events (export) file: drop --kind to take the kind from the file's name; the file was not loaded`,
    ]);
  });

  it("a mentions file named as an export says what it looks like", async () => {
    const home = tempHome();
    const file = write(home, "20150218230000.export.CSV", plain("20150218230000.mentions.CSV"));
    const r = await runCli(["--home", home, "load", "gdelt", file]);
    expect(errors(r.err)).toEqual([
      `error: ${file} line 1: 16 columns, but an events (export) line has 61; it looks like a mentions file: is it named right?; the file was not loaded`,
    ]);
  });

  it("a short line names the first missing column and the counts", async () => {
    const home = tempHome();
    const lines = plain("20150218230000.export.CSV").split("\n");
    lines[1] = lines[1].split("\t").slice(0, 20).join("\t");
    const file = write(home, "20150218230000.export.CSV", lines.join("\n"));
    const r = await runCli(["--home", home, "load", "gdelt", file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([
      `error: ${file} line 2: 20 columns, but an events (export) line has 61; the first missing is Actor2Religion1Code (column 21); the file was not loaded`,
    ]);
    const cut = plain("20150218230000.export.CSV").split("\n");
    cut[0] = cut[0].split("\t").slice(0, 60).join("\t");
    const last = write(home, "20150218231500.export.CSV", cut.join("\n"));
    expect(errors((await runCli(["--home", home, "load", "gdelt", last])).err)).toEqual([
      `error: ${last} line 1: 60 columns, but an events (export) line has 61; the first missing is SOURCEURL (column 61); the file was not loaded`,
    ]);
  });

  it("a huge line (a file without line breaks) says so instead of 'column null'", async () => {
    const home = tempHome();
    const file = write(home, "20150218230000.export.CSV", "x".repeat(3_000_000));
    const r = await runCli(["--home", home, "load", "gdelt", file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([
      `error: ${file} line 1: longer than the 2000000-byte limit for a line (3000000 bytes); GDELT lines are a few hundred bytes, so this is not an events (export) file or its line breaks are missing; the file was not loaded`,
    ]);
  });
});
