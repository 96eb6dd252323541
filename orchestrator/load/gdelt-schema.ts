import type { Target } from "../compile/graph";
/**
 * The two GDELT 2.0 source tables as BigQuery publishes them (gdelt-bq.gdeltv2.events_partitioned
 * and eventmentions_partitioned): column names, order and types, in the order of the raw
 * tab-separated files. Locally (DuckDB) the tables live in schema "gdelt-bq.gdeltv2" (see
 * sql/duckdb-names.ts) and carry one extra column, `_PARTITIONTIME`.
 *
 * `_PARTITIONTIME` is a pseudo column in BigQuery (the ingestion-time partition, a UTC day).
 * DuckDB has no pseudo columns, so locally it is a real TIMESTAMPTZ column, filled at load time
 * with the UTC day of DATEADDED (events) or MentionTimeDate (mentions) — what the ingestion
 * partitions of the public tables hold. `select *` therefore returns it locally but not on BigQuery.
 */

export type BigQueryType = "INT64" | "FLOAT64" | "STRING";

export interface GdeltColumn {
  name: string;
  type: BigQueryType;
  /** A 14-digit YYYYMMDDHHMMSS timestamp stored as INT64 (validated as a real UTC time). */
  timestamp?: boolean;
  /** Must not be empty. */
  required?: boolean;
}

export type GdeltKind = "events" | "mentions";

const s = (name: string): GdeltColumn => ({ name, type: "STRING" });
const i = (name: string): GdeltColumn => ({ name, type: "INT64" });
const f = (name: string): GdeltColumn => ({ name, type: "FLOAT64" });

function actor(n: 1 | 2): GdeltColumn[] {
  return ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code"].map(
    (c) => s(`Actor${n}${c}`),
  );
}

function geo(prefix: string): GdeltColumn[] {
  return [
    i(`${prefix}_Type`),
    s(`${prefix}_FullName`),
    s(`${prefix}_CountryCode`),
    s(`${prefix}_ADM1Code`),
    s(`${prefix}_ADM2Code`),
    f(`${prefix}_Lat`),
    f(`${prefix}_Long`),
    s(`${prefix}_FeatureID`),
  ];
}

/** 61 columns of `*.export.CSV`. */
export const EVENT_COLUMNS: readonly GdeltColumn[] = [
  { ...i("GLOBALEVENTID"), required: true },
  i("SQLDATE"),
  i("MonthYear"),
  i("Year"),
  f("FractionDate"),
  ...actor(1),
  ...actor(2),
  i("IsRootEvent"),
  s("EventCode"),
  s("EventBaseCode"),
  s("EventRootCode"),
  i("QuadClass"),
  f("GoldsteinScale"),
  i("NumMentions"),
  i("NumSources"),
  i("NumArticles"),
  f("AvgTone"),
  ...geo("Actor1Geo"),
  ...geo("Actor2Geo"),
  ...geo("ActionGeo"),
  { ...i("DATEADDED"), timestamp: true, required: true },
  s("SOURCEURL"),
];

/** 16 columns of `*.mentions.CSV`. */
export const MENTION_COLUMNS: readonly GdeltColumn[] = [
  { ...i("GLOBALEVENTID"), required: true },
  { ...i("EventTimeDate"), timestamp: true },
  { ...i("MentionTimeDate"), timestamp: true, required: true },
  i("MentionType"),
  s("MentionSourceName"),
  s("MentionIdentifier"),
  i("SentenceID"),
  i("Actor1CharOffset"),
  i("Actor2CharOffset"),
  i("ActionCharOffset"),
  i("InRawText"),
  i("Confidence"),
  i("MentionDocLen"),
  f("MentionDocTone"),
  s("MentionDocTranslationInfo"),
  s("Extras"),
];

export interface GdeltTable {
  kind: GdeltKind;
  /** The public BigQuery table; locally it maps into DuckDB as every declaration does. */
  target: Target;
  columns: readonly GdeltColumn[];
  /** The column whose UTC day is the row's `_PARTITIONTIME`. */
  partitionFrom: string;
}

const gdelt = (name: string): Target => ({ database: "gdelt-bq", schema: "gdeltv2", name });
export const PARTITION_COLUMN = "_PARTITIONTIME";

export const GDELT_TABLES: Record<GdeltKind, GdeltTable> = {
  events: { kind: "events", target: gdelt("events_partitioned"), columns: EVENT_COLUMNS, partitionFrom: "DATEADDED" },
  mentions: { kind: "mentions", target: gdelt("eventmentions_partitioned"), columns: MENTION_COLUMNS, partitionFrom: "MentionTimeDate" },
};

/** GDELT file kind from its published name: `*.export.CSV[.gz|.zip]` or `*.mentions.CSV[.gz|.zip]`. */
export function gdeltKindOf(fileName: string): GdeltKind | undefined {
  const base = gdeltFileName(fileName).toLowerCase();
  if (base.endsWith(".export.csv")) return "events";
  if (base.endsWith(".mentions.csv")) return "mentions";
  return undefined;
}

/** The name GDELT published a file under: the base name without .gz/.zip (the ledger key). */
export function gdeltFileName(file: string): string {
  return file.replace(/^.*[\\/]/, "").replace(/\.(gz|zip)$/i, "");
}

/**
 * The time a GDELT file's name gives every one of its rows (DATEADDED of events, MentionTimeDate
 * of mentions), as inclusive YYYYMMDDHHMMSS bounds: GDELT's 15-minute files are named
 * `YYYYMMDDHHMMSS.…` and every row carries exactly that time; files of `vwatch generate mentions
 * --per day` are named `YYYYMMDD.…` and hold rows of that UTC day. Undefined for other names.
 */
export interface FileTime {
  first: string;
  last: string;
  /** How messages name it: the timestamp, or the day as YYYY-MM-DD. */
  label: string;
}

export function gdeltFileTime(name: string): FileTime | undefined {
  const m = /^(\d{8})(\d{6})?\./.exec(gdeltFileName(name));
  if (!m || !isGdeltTime(m[1] + (m[2] ?? "000000"))) return undefined;
  const [, day, hms] = m;
  if (hms) return { first: day + hms, last: day + hms, label: day + hms };
  return { first: `${day}000000`, last: `${day}235959`, label: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` };
}

/** A real UTC time written YYYYMMDDHHMMSS, as GDELT writes DATEADDED and MentionTimeDate. */
export function isGdeltTime(text: string): boolean {
  if (!/^\d{14}$/.test(text)) return false;
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12)}Z`;
  const ms = Date.parse(iso);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === iso.slice(0, 19);
}
