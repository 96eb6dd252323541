import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// `vwatch load gdelt --manifest masterfilelist.txt`: each given file must have the size and MD5
// GDELT published for it. The manifests are built here from the real bundled files (and from a
// zip made of one, as GDELT publishes them), never hard-coded.

const SAMPLES = path.join(repoRoot, "samples", "gdelt");
const sample = (name: string) => path.join(SAMPLES, name);
const URL_BASE = "http://data.gdeltproject.org/gdeltv2/";

const md5 = (file: string) => crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex");
const manifestLine = (file: string, name = path.basename(file)) => `${fs.statSync(file).size} ${md5(file)} ${URL_BASE}${name}`;

/** A GDELT-style zip of a bundled file: what data.gdeltproject.org publishes. */
function publishedZip(dir: string, name: string): string {
  const csv = zlib.gunzipSync(fs.readFileSync(sample(`${name}.gz`)));
  const file = path.join(dir, `${name}.zip`);
  fs.writeFileSync(file, zipSync({ [name]: csv }));
  return file;
}

function writeManifest(dir: string, lines: string[]): string {
  const file = path.join(dir, "masterfilelist.txt");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const loaded = async (home: string) =>
  (await warehouseRows(home, `select file_name from vwatch.loaded_files order by file_name`)).map((r) => r.file_name);

describe("vwatch load gdelt --manifest", () => {
  it("loads files whose size and MD5 match the manifest, GDELT's published zips included", async () => {
    const home = tempHome();
    const zip = publishedZip(home, "20150218231500.export.CSV");
    const gz = sample("20150218230000.mentions.CSV.gz");
    const manifest = writeManifest(home, [manifestLine(zip), manifestLine(gz), `123 0123456789abcdef0123456789abcdef ${URL_BASE}20150218230000.gkg.csv.zip`]);
    const r = await runCli(["--home", home, "load", "gdelt", "--manifest", manifest, zip, gz]);
    expect(r.code).toBe(0);
    expect(await loaded(home)).toEqual(["20150218230000.mentions.CSV", "20150218231500.export.CSV"]);
  });

  it("refuses a file whose MD5 or size differ, naming expected and actual, and loads the others", async () => {
    const home = tempHome();
    const good = sample("20150218230000.export.CSV.gz");
    const zip = publishedZip(home, "20150218231500.export.CSV");
    const listed = manifestLine(zip);
    // The same bytes with one changed: same size, other MD5.
    const bytes = fs.readFileSync(zip);
    bytes[bytes.length - 30] ^= 0xff;
    const flipped = path.join(home, "flipped", "20150218231500.export.CSV.zip");
    fs.mkdirSync(path.dirname(flipped));
    fs.writeFileSync(flipped, bytes);
    // A download cut short: other size.
    const cutGz = path.join(home, "cut", "20150218233000.export.CSV.gz");
    fs.mkdirSync(path.dirname(cutGz));
    fs.writeFileSync(cutGz, fs.readFileSync(sample("20150218233000.export.CSV.gz")).subarray(0, 5000));
    const manifest = writeManifest(home, [manifestLine(good), listed, manifestLine(sample("20150218233000.export.CSV.gz"))]);

    const r = await runCli(["--home", home, "load", "gdelt", "--manifest", manifest, flipped, cutGz, good]);
    expect(r.code).toBe(2);
    const [size, sum] = [fs.statSync(zip).size, md5(zip)];
    expect(r.err).toContain(`error: ${flipped}: MD5 ${md5(flipped)} differs from the manifest's ${sum} (${path.basename(manifest)} line 2); the file was not loaded`);
    expect(r.err).toContain(
      `error: ${cutGz}: 5000 bytes, but the manifest lists ${fs.statSync(sample("20150218233000.export.CSV.gz")).size} (${path.basename(manifest)} line 3); the file was not loaded`,
    );
    expect(size).toBe(fs.statSync(flipped).size);
    expect(await loaded(home)).toEqual(["20150218230000.export.CSV"]);
  });

  it("refuses a file the manifest does not list; for a decompressed copy it names the published file to give instead", async () => {
    const home = tempHome();
    const zip = publishedZip(home, "20150218231500.export.CSV");
    const manifest = writeManifest(home, [manifestLine(zip)]);
    const unlisted = sample("20150218230000.export.CSV.gz");
    const unzipped = path.join(home, "20150218231500.export.CSV");
    fs.writeFileSync(unzipped, zlib.gunzipSync(fs.readFileSync(sample("20150218231500.export.CSV.gz"))));
    const r = await runCli(["--home", home, "load", "gdelt", "--manifest", manifest, unlisted, unzipped]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${unlisted}: not listed in ${path.basename(manifest)}, so it cannot be verified; the file was not loaded`);
    expect(r.err).toContain(
      `error: ${unzipped}: not listed in ${path.basename(manifest)}, which lists 20150218231500.export.CSV.zip: the MD5 is of the published file, so give that file; the file was not loaded`,
    );
    expect(await loaded(home)).toEqual([]);
  });

  it("refuses a manifest that holds no `size md5 url` line, exit 2, loading nothing", async () => {
    const home = tempHome();
    const manifest = writeManifest(home, ["<html>not found</html>"]);
    const r = await runCli(["--home", home, "load", "gdelt", "--manifest", manifest, sample("20150218230000.export.CSV.gz")]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([`error: ${manifest}: not a GDELT file list: no line of the form "size md5 url" (line 1: "<html>not found</html>")`]);
    expect(fs.existsSync(path.join(home, "warehouse.duckdb"))).toBe(false);
  });
});
