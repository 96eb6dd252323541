import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadEconomicFiles } from "../../orchestrator/load/economic";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// The loaders on the real downloads bundled under samples/economic/ and test/fixtures/economic/
// (origins in their SOURCES.md), with their quirks, and on small hand-made files for the rest.

const SAMPLES = path.join(repoRoot, "samples", "economic");
const FIXTURES = path.join(repoRoot, "test", "fixtures", "economic");
const WTI_OLD = path.join(SAMPLES, "fred", "DCOILWTICO.csv"); // DATE,DCOILWTICO with "."
const BRENT_NEW = path.join(SAMPLES, "fred", "DCOILBRENTEU.csv"); // observation_date,… with empty values
const WTI_NEW = path.join(FIXTURES, "DCOILWTICO_observation_date.csv");
const WB_ZIP = path.join(SAMPLES, "worldbank", "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.zip");
const WB_CSV = path.join(FIXTURES, "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv.gz");
const COMTRADE_MDA = path.join(SAMPLES, "comtrade", "comtrade_data.csv.gz");
const COMTRADE_CLEAN = path.join(FIXTURES, "comtrade_hs871200.csv.gz");

const warehouse = () => path.join(tempHome(), "warehouse.duckdb");
/** Rows of a query on the warehouse file a test loaded into. */
const rows = (file: string, sql: string) => warehouseRows(path.dirname(file), sql);

function write(name: string, text: string | Buffer): string {
  const file = path.join(tempHome(), name);
  fs.writeFileSync(file, text);
  return file;
}

const LEGACY_HEADER =
  "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO," +
  "Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code," +
  "Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg)," +
  "Gross weight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag";

const legacyRow = (flow: string, partner: string, iso: string, value: string, period = "2018") =>
  `S4,${period.slice(0, 4)},${period},${period},1,0,${flow === "Import" ? 1 : 2},${flow},862,Venezuela,VEN,${partner},X,${iso},,,,,,,,3,Mineral fuels,1,No Quantity,,,,,,,${value},,,0`;

describe("vwatch load fred", () => {
  it("reads the older DATE,<SERIES> layout and skips '.' values, counting them", async () => {
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "fred", [WTI_OLD]);
    expect(r).toMatchObject({ status: "loaded", rows: 8521, inserted: 8521, missing: 297, rejected: [] });
    const got = await rows(db, "select strftime(date, '%Y-%m-%d') as date, value, series_name, units from raw_economics.fred_observations where date between '2015-02-16' and '2015-02-18' order by date");
    expect(got).toEqual([
      // 2015-02-16 is "." in the file (Presidents' Day): no row.
      { date: "2015-02-17", value: 53.56, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", units: "Dollars per Barrel" },
      { date: "2015-02-18", value: 52.13, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", units: "Dollars per Barrel" },
    ]);
  });

  it("reads the current observation_date,<SERIES> layout and skips empty values", async () => {
    const db = warehouse();
    const results = await loadEconomicFiles(db, "fred", [WTI_NEW, BRENT_NEW]);
    expect(results.map((r) => [r.rows, r.missing])).toEqual([[1545, 68], [1565, 48]]);
    const got = await rows(db, "select series_id, count(*)::int as n, sum((date = '2020-01-20')::int)::int as mlk_day from raw_economics.fred_observations group by 1 order by 1");
    expect(got).toEqual([
      { series_id: "DCOILBRENTEU", n: 1565, mlk_day: 1 },
      { series_id: "DCOILWTICO", n: 1545, mlk_day: 0 }, // "2020-01-20," is empty for WTI
    ]);
  });

  it("splits a multi-series download into one row per series and date; unknown series take --series-name/--units only when alone", async () => {
    const multi = write("fredgraph.csv", "observation_date,DCOILWTICO,VENPOP\n2024-01-01,71.5,.\n2024-01-02,72,28.3\n");
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "fred", [multi]);
    expect(r).toMatchObject({ rows: 3, missing: 1 });
    expect(await rows(db, "select series_id, strftime(date, '%Y-%m-%d') as d, value, series_name from raw_economics.fred_observations order by 1, 2")).toEqual([
      { series_id: "DCOILWTICO", d: "2024-01-01", value: 71.5, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma" },
      { series_id: "DCOILWTICO", d: "2024-01-02", value: 72, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma" },
      { series_id: "VENPOP", d: "2024-01-02", value: 28.3, series_name: null },
    ]);
    const [both] = await loadEconomicFiles(db, "fred", [multi], { seriesName: "x" });
    expect(both).toMatchObject({ status: "failed", error: `${multi}: --series-name and --units describe one series, but this file holds DCOILWTICO, VENPOP` });
    const single = write("VENPOP.csv", "DATE,VENPOP\n2024-01-03,28.4\n");
    await loadEconomicFiles(db, "fred", [single], { seriesName: "Population of Venezuela", units: "Millions of Persons" });
    expect(await rows(db, "select series_name, units from raw_economics.fred_observations where date = '2024-01-03'")).toEqual([
      { series_name: "Population of Venezuela", units: "Millions of Persons" },
    ]);
  });

  it("reports rows it cannot read with their line numbers and loads the rest", async () => {
    const file = write("DCOILWTICO.csv", "DATE,DCOILWTICO\n2024-01-01,70\n\n2024-02-30,71\n2024-01-03,n/a\n2024-01-04,72\n");
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "fred", [file]);
    expect(r.rows).toBe(2);
    expect(r.rejected).toEqual([
      { line: 4, reason: 'expected a YYYY-MM-DD date, got "2024-02-30"' },
      { line: 5, reason: 'DCOILWTICO: expected a number, "." or nothing, got "n/a"' },
    ]);
  });

  it("refuses a file that is not a FRED download, naming it; it changes nothing and the other files load", async () => {
    const db = warehouse();
    await loadEconomicFiles(db, "fred", [WTI_NEW]);
    const wrong = write("notes.csv", "name,value\na,1\n");
    const results = await loadEconomicFiles(db, "fred", [wrong, BRENT_NEW]);
    expect(results.map((r) => [path.basename(r.file), r.status, r.rows])).toEqual([["notes.csv", "failed", 0], ["DCOILBRENTEU.csv", "loaded", 1565]]);
    expect(results[0].error).toBe(`${wrong}: not a FRED CSV download: the header must be DATE,<SERIES> or observation_date,<SERIES>, got "name,value"`);
    expect(await rows(db, "select series_id, count(*)::int as n from raw_economics.fred_observations group by 1 order by 1")).toEqual([
      { series_id: "DCOILBRENTEU", n: 1565 },
      { series_id: "DCOILWTICO", n: 1545 },
    ]);
  });

  it("is idempotent: a second load of the same files changes nothing, a corrected value replaces its row", async () => {
    const db = warehouse();
    await loadEconomicFiles(db, "fred", [WTI_NEW, BRENT_NEW]);
    const snapshot = "select * from raw_economics.fred_observations order by series_id, date";
    const before = await rows(db, snapshot);
    const again = await loadEconomicFiles(db, "fred", [WTI_NEW, BRENT_NEW]);
    expect(again.map((r) => [r.inserted, r.updated, r.unchanged])).toEqual([[0, 0, 1545], [0, 0, 1565]]);
    expect(await rows(db, snapshot)).toEqual(before);

    const revised = write("DCOILWTICO.csv", "observation_date,DCOILWTICO\n2020-01-02,61.18\n2020-01-03,63.00\n2030-01-01,99\n");
    const [r] = await loadEconomicFiles(db, "fred", [revised]);
    expect([r.inserted, r.updated, r.unchanged]).toEqual([1, 1, 1]);
    expect(await rows(db, "select value from raw_economics.fred_observations where series_id = 'DCOILWTICO' and date = '2020-01-02'")).toEqual([{ value: 61.18 }]);
  });
});

describe("vwatch load worldbank", () => {
  it("melts the API CSV (BOM, preamble, wide years, trailing comma) from the zip the World Bank ships, skipping its metadata files", async () => {
    const db = warehouse();
    const results = await loadEconomicFiles(db, "worldbank", [WB_ZIP]);
    expect(results.map((r) => [path.basename(r.file), r.status, r.rows, r.missing])).toEqual([
      ["API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv", "loaded", 11774, 3538],
      ["Metadata_Country_API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv", "skipped", 0, 0],
      ["Metadata_Indicator_API_NY.GDP.PCAP.CD_DS2_en_csv_v2_10181232.csv", "skipped", 0, 0],
    ]);
    const ven = await rows(db, "select count(*)::int as years, min(year)::int as first, max(year)::int as last, max_by(value, year) as latest, any_value(country_name) as name, any_value(indicator_name) as indicator from raw_economics.world_bank_observations where country_code = 'VEN'");
    // Venezuela: values 1960-2014 (55 years), 2015-2017 empty.
    expect(ven).toEqual([{ years: 55, first: 1960, last: 2014, latest: 15692.412877729, name: "Venezuela, RB", indicator: "GDP per capita (current US$)" }]);
    expect(await rows(db, "select distinct indicator_id from raw_economics.world_bank_observations")).toEqual([{ indicator_id: "NY.GDP.PCAP.CD" }]);
  });

  it("loads the same rows from the plain CSV, and a second load changes nothing", async () => {
    const db = warehouse();
    const [first] = await loadEconomicFiles(db, "worldbank", [WB_CSV]);
    expect(first).toMatchObject({ rows: 11774, inserted: 11774 });
    const [second] = await loadEconomicFiles(db, "worldbank", [WB_ZIP]);
    expect(second).toMatchObject({ rows: 11774, inserted: 0, updated: 0, unchanged: 11774 });
  });

  it("refuses a CSV without the World Bank header", async () => {
    const [r] = await loadEconomicFiles(warehouse(), "worldbank", [WTI_NEW]);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/DCOILWTICO_observation_date\.csv: not a World Bank indicator CSV/);
  });
});

describe("vwatch load comtrade", () => {
  it("reads a Latin-1, CR CR LF export with a repeated header, lines of only \"\" and values split at commas", async () => {
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "comtrade", [COMTRADE_MDA]);
    expect(r).toMatchObject({ status: "loaded", rows: 15934, inserted: 15934, rejected: [], repaired: 5133 });
    const partners = await rows(db, "select partner, count(*)::int as n from raw_economics.comtrade_records where partner_iso in ('VEN', 'CIV', 'HKG') group by 1 order by 1");
    expect(partners).toEqual([
      { partner: "China, Hong Kong SAR", n: expect.any(Number) },
      { partner: "Côte d'Ivoire", n: 30 },
      { partner: "Venezuela", n: 23 },
    ]);
    const ven = await rows(db, "select strftime(period, '%Y-%m-%d') as period, trade_flow, trade_flow_code, commodity, value_usd from raw_economics.comtrade_records where partner_iso = 'VEN' and period_code = '2017' and commodity_code = '0'");
    expect(ven).toEqual([{ period: "2017-01-01", trade_flow: "Import", trade_flow_code: "1", commodity: "Food and live animals", value_usd: 11315 }]);
    expect(await rows(db, "select distinct trade_flow from raw_economics.comtrade_records order by 1")).toEqual(
      ["Export", "Import", "Re-export", "Re-import"].map((trade_flow) => ({ trade_flow })),
    );
    expect(await rows(db, "select count(*)::int as n from raw_economics.comtrade_records where classification = 'Classification'")).toEqual([{ n: 0 }]);
  });

  it("reads a clean export, and loading it twice changes nothing", async () => {
    const db = warehouse();
    const [first] = await loadEconomicFiles(db, "comtrade", [COMTRADE_CLEAN]);
    expect(first).toMatchObject({ rows: 1302, inserted: 1302, repaired: 0 });
    const [second] = await loadEconomicFiles(db, "comtrade", [COMTRADE_CLEAN]);
    expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: 1302 });
  });

  it("reports unreadable rows with the line they are on, counting blank lines, and loads the rest", async () => {
    const lines = [
      LEGACY_HEADER,
      legacyRow("Import", "0", "WLD", "100"),
      "",
      '""',
      legacyRow("Export", "0", "WLD", "twelve"), // line 5
      "S4,2018,2018", // line 6
      legacyRow("Export", "842", "USA", "300"),
      legacyRow("Export", "842", "USA", "301"), // line 8: same key as line 7, other value
      legacyRow("Export", "0", "WLD", "400", "201813"), // line 9
    ];
    const file = write("bad.csv", Buffer.from(lines.join("\r\n") + "\r\n", "latin1"));
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "comtrade", [file]);
    expect(r.rows).toBe(2);
    expect(r.rejected).toEqual([
      { line: 5, reason: 'value_usd: expected a number, got "twelve"' },
      { line: 6, reason: "expected 35 fields like the header, got 3" },
      { line: 8, reason: "same classification, period_code, reporter_code, partner_code, trade_flow, commodity_code as line 7 but different values; kept line 7" },
      { line: 9, reason: 'expected a period YYYY or YYYYMM, got "201813"' },
    ]);
  });

  it("reads the Comtrade Plus layout by its column names, monthly periods included", async () => {
    const header = "typeCode,freqCode,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,classificationCode,cmdCode,cmdDesc,aggrLevel,qtyUnitAbbr,qty,netWgt,primaryValue";
    const file = write("plus.csv", [header, "C,M,202403,862,VEN,Venezuela,X,Export,0,W00,World,HS,27,Mineral fuels,2,kg,10,10,5000.5", "C,A,2023,862,VEN,Venezuela,M,Import,0,W00,World,HS,TOTAL,All Commodities,0,,,,\n"].join("\n"));
    const db = warehouse();
    const [r] = await loadEconomicFiles(db, "comtrade", [file]);
    expect(r).toMatchObject({ rows: 1, missing: 1 }); // the second row has no trade value
    expect(await rows(db, "select classification, period_code, strftime(period, '%Y-%m-%d') as period, reporter_code, trade_flow, trade_flow_code, commodity_code, aggregate_level::int as lvl, value_usd from raw_economics.comtrade_records")).toEqual([
      { classification: "HS", period_code: "202403", period: "2024-03-01", reporter_code: "862", trade_flow: "Export", trade_flow_code: "X", commodity_code: "27", lvl: 2, value_usd: 5000.5 },
    ]);
  });

  it("reads the Plus website's PascalCase header too", async () => {
    const header = "TypeCode,FreqCode,Period,ReporterCode,ReporterISO,ReporterDesc,FlowCode,FlowDesc,PartnerCode,PartnerISO,PartnerDesc,ClassificationCode,CmdCode,CmdDesc,AggrLevel,QtyUnitAbbr,Qty,NetWgt,PrimaryValue";
    const file = write("TradeData.csv", `${header}\nC,A,2023,862,VEN,Venezuela,RX,Re-export,0,W00,World,HS,TOTAL,All Commodities,0,,,,12.5\n`);
    const db = warehouse();
    await loadEconomicFiles(db, "comtrade", [file]);
    expect(await rows(db, "select period_code, trade_flow, commodity_code, value_usd from raw_economics.comtrade_records")).toEqual([
      { period_code: "2023", trade_flow: "Re-export", commodity_code: "TOTAL", value_usd: 12.5 },
    ]);
  });

  it("refuses a file without Comtrade's columns", async () => {
    const [r] = await loadEconomicFiles(warehouse(), "comtrade", [WTI_NEW]);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/DCOILWTICO_observation_date\.csv: not a UN Comtrade CSV export: the header lacks Classification/);
  });
});

describe("vwatch load (command line)", () => {
  it("prints one line per file with what changed, and lists rejected rows on stderr", async () => {
    const home = tempHome();
    const bad = write("DCOILWTICO.csv", "DATE,DCOILWTICO\n2024-01-01,70\n2024-01-02,x\n");
    const first = await runCli(["--home", home, "load", "fred", WTI_NEW, bad]);
    const second = await runCli(["--home", home, "load", "fred", WTI_NEW]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const text = first.out + second.out;
    expect(text).toMatch(/DCOILWTICO_observation_date\.csv\s+loaded\s+1545\s+1545\s+0\s+0\s+68\s+0/);
    expect(text).toMatch(/DCOILWTICO\.csv\s+loaded\s+1\s+1\s+0\s+0\s+0\s+1/);
    expect(text).toContain("1546 inserted, 0 updated, 0 unchanged");
    expect(text).toContain("0 inserted, 0 updated, 1545 unchanged");
    expect(first.err).toMatch(/DCOILWTICO\.csv: 1 row\(s\) could not be read and were not loaded:\n {2}line 3: DCOILWTICO: expected a number/);
  });
});
