import { parse } from "csv-parse/sync";
import { parseDay } from "../days";
import { InputError } from "../errors";
import type { EconomicSource } from "./economic-schema";

/**
 * Parsers for economic source files as users download them. Each turns a file's text into
 * rows keyed by the raw table's column names (values as text, or null), and says what it left
 * out: missing values (skipped, counted) and rows it could not read (with their line numbers).
 */
export type Row = Record<string, string | null>;

export interface Parsed {
  rows: { line: number; row: Row }[];
  /** Cells or rows with no value (FRED `.`/empty, World Bank empty years, Comtrade empty trade value). */
  missing: number;
  /** Rows that could not be read, with the 1-based line they start on. */
  rejected: { line: number; reason: string }[];
  /** Comtrade rows whose quoted fields had been split at commas and were joined back. */
  repaired: number;
}

export interface ParseOptions {
  /** FRED: the series' title and units, for a file holding one series. */
  seriesName?: string;
  units?: string;
}

/** Titles and units of FRED series the product knows; others take --series-name/--units. */
export const FRED_SERIES: Record<string, { name: string; units: string }> = {
  DCOILWTICO: { name: "Crude Oil Prices: West Texas Intermediate (WTI) - Cushing, Oklahoma", units: "Dollars per Barrel" },
  DCOILBRENTEU: { name: "Crude Oil Prices: Brent - Europe", units: "Dollars per Barrel" },
};

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** UTF-8 (BOM dropped) when the bytes are valid UTF-8, else Latin-1 (Comtrade's legacy exports). */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("latin1").decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface CsvRecord {
  fields: string[];
  line: number;
}

function records(file: string, text: string): CsvRecord[] {
  // Some exports end lines with CR CR LF; any run of CRs before LF, or a lone CR, ends one line.
  text = text.replace(/\r+\n?/g, "\n");
  try {
    const out = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
    // info.lines is the line a record ends on; multi-line quoted fields are rare here, so count back.
    return out.map(({ record, info }) => ({ fields: record, line: info.lines - (record.join(",").split(/\r?\n/).length - 1) }));
  } catch (e) {
    const err = e as { lines?: number; message: string };
    throw new InputError(`${file}${err.lines ? ` line ${err.lines}` : ""}: not a readable CSV file: ${err.message}`, { cause: e });
  }
}

/**
 * Refuses a file with a NUL byte in a field (line and column named): PostgreSQL cannot store
 * one in text, and a run of NULs is what a download cut short by a crash leaves.
 */
function refuseNul(file: string, recs: CsvRecord[], header: string[] | undefined): void {
  for (const { fields, line } of recs) {
    const i = fields.findIndex((f) => f.includes("\0"));
    if (i < 0) continue;
    const name = header?.[i]?.trim();
    throw new InputError(`${file} line ${line}, column ${name ? `${name} (${i + 1})` : i + 1}: contains a NUL byte (0x00), which PostgreSQL cannot store in text; the file was not loaded`);
  }
}

const blank = (fields: string[]) => fields.every((f) => f.trim() === "");

function validDate(text: string): boolean {
  try {
    parseDay(text);
    return true;
  } catch {
    return false;
  }
}

/** FRED graph/series download: `DATE,SERIES…` (older) or `observation_date,SERIES…` (current). */
export function parseFred(file: string, text: string, opts: ParseOptions = {}): Parsed {
  const recs = records(file, text);
  if (text.includes("\0")) refuseNul(file, recs, recs[0]?.fields);
  const header = recs[0]?.fields.map((f) => f.trim());
  if (!header || !/^(date|observation_date)$/i.test(header[0]) || header.length < 2) {
    throw new InputError(`${file}: not a FRED CSV download: the header must be DATE,<SERIES> or observation_date,<SERIES>, got ${JSON.stringify(recs[0]?.fields.join(",") ?? "")}`);
  }
  const series = header.slice(1);
  if (series.length > 1 && (opts.seriesName || opts.units)) {
    throw new InputError(`${file}: --series-name and --units describe one series, but this file holds ${series.join(", ")}`);
  }
  const out: Parsed = { rows: [], missing: 0, rejected: [], repaired: 0 };
  for (const { fields, line } of recs.slice(1)) {
    if (blank(fields)) continue;
    const date = fields[0].trim();
    if (!validDate(date)) {
      out.rejected.push({ line, reason: `expected a YYYY-MM-DD date, got ${JSON.stringify(fields[0])}` });
      continue;
    }
    if (fields.length !== header.length) {
      out.rejected.push({ line, reason: `expected ${header.length} fields like the header, got ${fields.length}` });
      continue;
    }
    series.forEach((id, i) => {
      const value = fields[i + 1].trim();
      if (value === "" || value === ".") return void out.missing++;
      if (!NUMBER.test(value)) return void out.rejected.push({ line, reason: `${id}: expected a number, "." or nothing, got ${JSON.stringify(value)}` });
      const known = FRED_SERIES[id.toUpperCase()];
      out.rows.push({
        line,
        row: { series_id: id, date, value, series_name: opts.seriesName ?? known?.name ?? null, units: opts.units ?? known?.units ?? null },
      });
    });
  }
  return out;
}

/** World Bank API download (API_<indicator>_DS2_…csv): preamble, then one wide row per country. */
export function parseWorldBank(file: string, text: string): Parsed {
  const recs = records(file, text);
  const at = recs.findIndex((r) => r.fields[0]?.trim() === "Country Name");
  if (text.includes("\0")) refuseNul(file, recs, recs[at]?.fields);
  const header = at >= 0 ? recs[at].fields.map((f) => f.trim()) : [];
  const names = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"];
  if (at < 0 || names.some((n, i) => header[i] !== n)) {
    throw new InputError(`${file}: not a World Bank indicator CSV: expected a header "Country Name","Country Code","Indicator Name","Indicator Code",<years…>`);
  }
  const years = header.map((h, i) => ({ year: h, i })).filter((y) => i4(y.year) && y.i >= 4);
  const out: Parsed = { rows: [], missing: 0, rejected: [], repaired: 0 };
  for (const { fields, line } of recs.slice(at + 1)) {
    if (blank(fields)) continue;
    const [country_name, country_code, indicator_name, indicator_id] = fields.map((f) => f.trim());
    if (!country_code || !indicator_id) {
      out.rejected.push({ line, reason: "a row needs a Country Code and an Indicator Code" });
      continue;
    }
    for (const { year, i } of years) {
      const value = (fields[i] ?? "").trim();
      if (value === "") {
        out.missing++;
        continue;
      }
      if (!NUMBER.test(value)) {
        out.rejected.push({ line, reason: `${year}: expected a number or nothing, got ${JSON.stringify(value)}` });
        continue;
      }
      out.rows.push({ line, row: { indicator_id, indicator_name: indicator_name || null, country_code, country_name: country_name || null, year, value } });
    }
  }
  return out;
}

const i4 = (s: string) => /^\d{4}$/.test(s);

/** Column names of the two Comtrade layouts, per raw column. */
const COMTRADE_LAYOUTS: { name: string; columns: Record<string, string> }[] = [
  {
    name: "legacy Comtrade export",
    columns: {
      classification: "Classification",
      period_code: "Period",
      reporter_code: "Reporter Code",
      reporter: "Reporter",
      reporter_iso: "Reporter ISO",
      partner_code: "Partner Code",
      partner: "Partner",
      partner_iso: "Partner ISO",
      trade_flow_code: "Trade Flow Code",
      trade_flow: "Trade Flow",
      commodity_code: "Commodity Code",
      commodity: "Commodity",
      aggregate_level: "Aggregate Level",
      qty_unit: "Qty Unit",
      qty: "Qty",
      net_weight_kg: "Netweight (kg)",
      value_usd: "Trade Value (US$)",
    },
  },
  {
    name: "Comtrade Plus export",
    columns: {
      classification: "classificationCode",
      period_code: "period",
      reporter_code: "reporterCode",
      reporter: "reporterDesc",
      reporter_iso: "reporterISO",
      partner_code: "partnerCode",
      partner: "partnerDesc",
      partner_iso: "partnerISO",
      trade_flow_code: "flowCode",
      trade_flow: "flowDesc",
      commodity_code: "cmdCode",
      commodity: "cmdDesc",
      aggregate_level: "aggrLevel",
      qty_unit: "qtyUnitAbbr",
      qty: "qty",
      net_weight_kg: "netWgt",
      value_usd: "primaryValue",
    },
  },
];

const FLOWS: Record<string, string> = {
  "1": "Import", m: "Import", import: "Import",
  "2": "Export", x: "Export", export: "Export",
  "3": "Re-export", rx: "Re-export", "re-export": "Re-export",
  "4": "Re-import", rm: "Re-import", "re-import": "Re-import",
};

const REQUIRED = ["classification", "period_code", "reporter_code", "partner_code", "commodity_code"];
const INTEGER = new Set(["aggregate_level"]);
const NUMERIC = new Set(["qty", "net_weight_kg", "value_usd"]);

/**
 * UN Comtrade CSV, legacy (35 columns) or Plus layout, told apart by the header's names. Repeated
 * headers (concatenated exports), blank lines and lines holding only `""` are skipped.
 */
export function parseComtrade(file: string, text: string): Parsed {
  const recs = records(file, text).filter((r) => !blank(r.fields));
  if (text.includes("\0")) refuseNul(file, recs, recs[0]?.fields);
  const header = recs[0]?.fields.map((f) => f.trim()) ?? [];
  // Names match case-insensitively: the Comtrade Plus website writes PascalCase (PrimaryValue), its API camelCase.
  const names = header.map((h) => h.toLowerCase());
  const has = (c: string) => names.includes(c.toLowerCase());
  const layout = COMTRADE_LAYOUTS.find((l) => Object.values(l.columns).every(has));
  if (!layout) {
    throw new InputError(
      `${file}: not a UN Comtrade CSV export: the header lacks ${COMTRADE_LAYOUTS.map((l) => Object.values(l.columns).filter((c) => !has(c)).slice(0, 3).join(", ")).join(" (legacy) or ")} (Plus)`,
    );
  }
  const index = Object.fromEntries(Object.entries(layout.columns).map(([col, name]) => [col, names.indexOf(name.toLowerCase())]));
  const headerText = header.join(",");
  const out: Parsed = { rows: [], missing: 0, rejected: [], repaired: 0 };
  for (const rec of recs.slice(1)) {
    let fields = rec.fields;
    if (fields.map((f) => f.trim()).join(",") === headerText) continue;
    if (fields.length !== header.length) {
      const joined = rejoinSplitFields(fields);
      if (joined?.length !== header.length) {
        out.rejected.push({ line: rec.line, reason: `expected ${header.length} fields like the header, got ${fields.length}` });
        continue;
      }
      fields = joined;
      out.repaired++;
    }
    const row: Row = {};
    for (const [col, i] of Object.entries(index)) row[col] = fields[i].trim() === "" ? null : fields[i].trim();
    const problem = comtradeProblem(row);
    if (problem === "missing") out.missing++;
    else if (problem) out.rejected.push({ line: rec.line, reason: problem });
    else out.rows.push({ line: rec.line, row });
  }
  return out;
}

function comtradeProblem(row: Row): string | "missing" | undefined {
  for (const col of REQUIRED) if (row[col] === null) return `${col} is empty`;
  const flow = FLOWS[(row.trade_flow ?? row.trade_flow_code ?? "").toLowerCase()] ?? FLOWS[(row.trade_flow_code ?? "").toLowerCase()];
  if (!flow) return `unknown trade flow ${JSON.stringify(row.trade_flow ?? row.trade_flow_code)}`;
  row.trade_flow = flow;
  const period = row.period_code!;
  if (!/^\d{4}(0[1-9]|1[0-2])?$/.test(period)) return `expected a period YYYY or YYYYMM, got ${JSON.stringify(period)}`;
  row.period = `${period.slice(0, 4)}-${period.slice(4, 6) || "01"}-01`;
  for (const col of INTEGER) if (row[col] !== null && !/^-?\d+$/.test(row[col]!)) return `${col}: expected an integer, got ${JSON.stringify(row[col])}`;
  for (const col of NUMERIC) if (row[col] !== null && !NUMBER.test(row[col]!)) return `${col}: expected a number, got ${JSON.stringify(row[col])}`;
  if (row.value_usd === null) return "missing";
  return undefined;
}

/**
 * Some saved exports split quoted values at their commas and re-quoted the pieces:
 * `"China, Hong Kong SAR"` became `"""China"," Hong Kong SAR"""`, which reads as the fields
 * `"China` and ` Hong Kong SAR"`. Joins each such run back into one value; undefined when the
 * row does not have that shape.
 */
function rejoinSplitFields(fields: string[]): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (!f.startsWith('"') || (f.length > 1 && f.endsWith('"'))) {
      out.push(f);
      continue;
    }
    const end = fields.findIndex((g, j) => j > i && g.endsWith('"'));
    if (end < 0) return undefined;
    out.push(fields.slice(i, end + 1).join(",").slice(1, -1));
    i = end;
  }
  return out;
}

export const PARSERS: Record<EconomicSource, (file: string, text: string, opts: ParseOptions) => Parsed> = {
  fred: parseFred,
  worldbank: parseWorldBank,
  comtrade: parseComtrade,
};
