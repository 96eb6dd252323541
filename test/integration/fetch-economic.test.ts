import * as fs from "fs";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { startMirror, withMirrorEnv, type Mirror } from "../helpers/download-mirror";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// `vwatch fetch fred|worldbank` against a local mirror serving the bundled real downloads.

let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

const fetchCli = (m: Mirror, home: string, args: string[]) => withMirrorEnv(m, () => runCli(["--home", home, "fetch", ...args]));

describe("vwatch fetch fred", () => {
  it("downloads fredgraph.csv for each series into the home folder and loads it", async () => {
    mirror = await startMirror();
    const home = tempHome();
    const r = await fetchCli(mirror, home, ["fred", "DCOILWTICO", "DCOILBRENTEU"]);
    expect(r.code, r.err).toBe(0);
    expect(mirror.requests).toEqual(["/graph/fredgraph.csv?id=DCOILWTICO", "/graph/fredgraph.csv?id=DCOILBRENTEU"]);
    const saved = path.join(home, "downloads", "fred", "DCOILWTICO.csv");
    expect(fs.readFileSync(saved)).toEqual(fs.readFileSync(path.join(repoRoot, "samples", "economic", "fred", "DCOILWTICO.csv")));
    const rows = await warehouseRows(home, "select series_id, strftime(date, '%Y-%m-%d') as date, value from raw_economics.fred_observations where date between '2015-02-16' and '2015-02-18' order by date");
    // 2015-02-16 is written "." (missing) in the file.
    expect(rows).toEqual([
      { series_id: "DCOILWTICO", date: "2015-02-17", value: 53.56 },
      { series_id: "DCOILWTICO", date: "2015-02-18", value: 52.13 },
    ]);
    // Fetching again changes nothing.
    const again = await fetchCli(mirror, home, ["fred", "DCOILWTICO"]);
    expect(again.err).toMatch(/1 file\(s\) downloaded; 0 inserted, 0 updated, \d+ unchanged\n/);
  });

  it("an unknown series is bad input naming its URL; --no-load only downloads", async () => {
    mirror = await startMirror();
    const home = tempHome();
    const r = await fetchCli(mirror, home, ["fred", "NOSUCHSERIES"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${mirror.url}/graph/fredgraph.csv?id=NOSUCHSERIES: not found (HTTP 404): FRED has no series NOSUCHSERIES`);
    const bad = await fetchCli(mirror, home, ["fred", "DCOIL/../x"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`"DCOIL/../x" is not a FRED series id`);
    const only = await fetchCli(mirror, home, ["fred", "DCOILWTICO", "--no-load"]);
    expect(only.code).toBe(0);
    expect(fs.existsSync(path.join(home, "downloads", "fred", "DCOILWTICO.csv"))).toBe(true);
    expect(fs.existsSync(path.join(home, "warehouse.duckdb"))).toBe(false);
  });
});

describe("vwatch fetch worldbank", () => {
  it("downloads the API's CSV zip for the indicator and countries, keeps the name the API gives, and loads it", async () => {
    mirror = await startMirror();
    const home = tempHome();
    const r = await fetchCli(mirror, home, ["worldbank", "NY.GDP.PCAP.CD", "--countries", "VEN,col"]);
    expect(r.code, r.err).toBe(0);
    expect(mirror.requests).toEqual(["/v2/country/VEN;COL/indicator/NY.GDP.PCAP.CD?downloadformat=csv"]);
    expect(fs.readdirSync(path.join(home, "downloads", "worldbank"))).toEqual(["API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.zip"]);
    const rows = await warehouseRows(home, "select country_code, year, value from raw_economics.world_bank_observations where country_code = 'VEN' and year >= 2013 order by year");
    expect(rows.map((x) => [x.country_code, Number(x.year), Number(x.value).toFixed(2)])).toEqual([
      ["VEN", 2013, expect.any(String)],
      ["VEN", 2014, "15692.41"],
    ]);
  });

  it("an unknown indicator is bad input naming its URL", async () => {
    mirror = await startMirror();
    const r = await fetchCli(mirror, tempHome(), ["worldbank", "NO.SUCH.IND"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: ${mirror.url}/v2/country/VEN/indicator/NO.SUCH.IND?downloadformat=csv: not found (HTTP 404): the World Bank has no indicator NO.SUCH.IND for VEN`);
  });
});
