import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCliCode } from "../helpers/cli";
import { readResults, type RunRecord } from "../../orchestrator/run/results";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import { tempHome, warehouseRows } from "../helpers/project";

// fred_indicators, world_bank and un_comtrade built from small hand-made downloads loaded with
// `vwatch load`, so every expected row can be read off the files below.

const FRED = `observation_date,DCOILWTICO
2024-01-02,70.38
2024-01-03,.
2024-01-04,72.19
`;

const WORLD_BANK = `\ufeff"Data Source","World Development Indicators",

"Last Updated Date","2024-06-28",

"Country Name","Country Code","Indicator Name","Indicator Code","2013","2014","2015",
"Venezuela, RB","VEN","Inflation, consumer prices (annual %)","FP.CPI.TOTL.ZG","40.6","62.2","",
"Colombia","COL","Inflation, consumer prices (annual %)","FP.CPI.TOTL.ZG","2.0","2.9","5.0",
`;

// Venezuela (862) exports of mineral fuels (27) to the USA (842): the 2023 total and January 2023.
const COMTRADE = `typeCode,freqCode,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,classificationCode,cmdCode,cmdDesc,aggrLevel,qtyUnitAbbr,qty,netWgt,primaryValue
C,A,2023,862,VEN,Venezuela,X,Export,842,USA,USA,HS,27,Mineral fuels,2,kg,1000,1000,6000000
C,M,202301,862,VEN,Venezuela,X,Export,842,USA,USA,HS,27,Mineral fuels,2,kg,80,80,500000
C,M,202301,862,VEN,Venezuela,M,Import,842,USA,USA,HS,27,Mineral fuels,2,kg,5,5,25000.5
`;

async function vwatch(home: string, ...args: string[]): Promise<{ code: number; record: RunRecord }> {
  const code = await runCliCode(["--home", home, "-q", ...args]);
  return { code, record: readResults(home)! };
}

function write(home: string, name: string, text: string): string {
  const file = path.join(home, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("economic models", () => {
  let home: string;
  let run: { code: number; record: RunRecord };

  beforeAll(async () => {
    home = tempHome();
    expect((await vwatch(home, "load", "fred", write(home, "DCOILWTICO.csv", FRED))).code).toBe(0);
    expect((await vwatch(home, "load", "worldbank", write(home, "API_FP.CPI.TOTL.ZG_DS2_en_csv_v2.csv", WORLD_BANK))).code).toBe(0);
    expect((await vwatch(home, "load", "comtrade", write(home, "TradeData.csv", COMTRADE))).code).toBe(0);
    run = await vwatch(home, "run", "--tags", "economics", "--no-sync");
  }, 120_000);

  it("build, with every key assertion passing", () => {
    expect(run.code).toBe(0);
    const names = run.record.actions.map((a) => `${a.name.split(".").pop()} ${a.status}`);
    expect(names).toEqual(expect.arrayContaining(["fred_indicators success", "world_bank success", "un_comtrade success"]));
    expect(run.record.summary.failed).toBe(0);
  });

  it("fred_indicators: one row per series and day with a value, titled from the series catalog", async () => {
    expect(await warehouseRows(home, "select series_id, strftime(date, '%Y-%m-%d') as date, value, series_name, units from analytics.fred_indicators order by date")).toEqual([
      { series_id: "DCOILWTICO", date: "2024-01-02", value: 70.38, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", units: "Dollars per Barrel" },
      { series_id: "DCOILWTICO", date: "2024-01-04", value: 72.19, series_name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", units: "Dollars per Barrel" },
    ]);
  });

  it("world_bank: one row per indicator, country and year, dated January 1; empty years absent", async () => {
    expect(await warehouseRows(home, "select indicator_id, country_code, strftime(date, '%Y-%m-%d') as date, value from analytics.world_bank order by country_code, date")).toEqual([
      { indicator_id: "FP.CPI.TOTL.ZG", country_code: "COL", date: "2013-01-01", value: 2.0 },
      { indicator_id: "FP.CPI.TOTL.ZG", country_code: "COL", date: "2014-01-01", value: 2.9 },
      { indicator_id: "FP.CPI.TOTL.ZG", country_code: "COL", date: "2015-01-01", value: 5.0 },
      { indicator_id: "FP.CPI.TOTL.ZG", country_code: "VEN", date: "2013-01-01", value: 40.6 },
      { indicator_id: "FP.CPI.TOTL.ZG", country_code: "VEN", date: "2014-01-01", value: 62.2 },
    ]);
  });

  it("un_comtrade: an annual total and the same year's first month side by side, told apart by frequency", async () => {
    const got = await warehouseRows(
      home,
      "select strftime(period, '%Y-%m-%d') as period, frequency, reporter_code, partner_iso, commodity_code, trade_flow, value_usd from analytics.un_comtrade order by frequency, trade_flow",
    );
    expect(got).toEqual([
      { period: "2023-01-01", frequency: "annual", reporter_code: "862", partner_iso: "USA", commodity_code: "27", trade_flow: "Export", value_usd: 6000000 },
      { period: "2023-01-01", frequency: "monthly", reporter_code: "862", partner_iso: "USA", commodity_code: "27", trade_flow: "Export", value_usd: 500000 },
      { period: "2023-01-01", frequency: "monthly", reporter_code: "862", partner_iso: "USA", commodity_code: "27", trade_flow: "Import", value_usd: 25000.5 },
    ]);
  });

  it("have the designed columns in BigQuery types", async () => {
    const db = await openDuckdb(path.join(home, "warehouse.duckdb"), { defaultDatabase: "venezuelawatch" });
    try {
      const columns = async (name: string) =>
        (await db.tableMetadata({ database: "venezuelawatch", schema: "analytics", name }))!.columns.map((c) => `${c.name} ${c.type}`);
      expect(await columns("fred_indicators")).toEqual(["series_id STRING", "date DATE", "value FLOAT64", "series_name STRING", "units STRING"]);
      expect((await columns("world_bank")).slice(0, 4)).toEqual(["indicator_id STRING", "date DATE", "value FLOAT64", "country_code STRING"]);
      expect((await columns("un_comtrade")).slice(0, 5)).toEqual(["period DATE", "reporter_code STRING", "commodity_code STRING", "trade_flow STRING", "value_usd FLOAT64"]);
    } finally {
      await db.close();
    }
  });
});

describe("economic models without economic data", () => {
  it("build empty tables instead of failing: the raw tables exist from the first run", async () => {
    const home = tempHome();
    const { code, record } = await vwatch(home, "run", "--tags", "economics", "--no-sync");
    expect(code).toBe(0);
    expect(record.summary.failed).toBe(0);
    expect(await warehouseRows(home, "select (select count(*) from analytics.fred_indicators)::int as fred, (select count(*) from analytics.world_bank)::int as wb, (select count(*) from analytics.un_comtrade)::int as ct")).toEqual([
      { fred: 0, wb: 0, ct: 0 },
    ]);
  });
});
