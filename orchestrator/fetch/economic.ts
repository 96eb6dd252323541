import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { download, type DownloadOptions } from "./http";

/**
 * `vwatch fetch fred|worldbank`: the downloads the economic loaders read, saved in `dir`.
 * FRED: the keyless `fredgraph.csv?id=SERIES` of a series (`observation_date,SERIES`).
 * World Bank: the API's CSV download of an indicator for some countries (a zip holding
 * `API_<indicator>_DS2_….csv` and two metadata files, as the website's download).
 * Series are revised, so each fetch downloads again; the loader upserts, so a reload is harmless.
 */
export interface EconomicFetch {
  /** What was asked for: a series or an indicator. */
  id: string;
  url: string;
  file: string;
  bytes: number;
}

const SERIES = /^[A-Za-z0-9_]+$/;
const INDICATOR = /^[A-Za-z0-9_.]+$/;
const COUNTRY = /^[A-Za-z0-9]{2,3}$/;

export async function fetchFred(baseUrl: string, series: string[], dir: string, opts: DownloadOptions): Promise<EconomicFetch[]> {
  for (const id of series) if (!SERIES.test(id)) throw new InputError(`"${id}" is not a FRED series id (letters, digits and _, e.g. DCOILWTICO)`);
  const out: EconomicFetch[] = [];
  for (const id of series) {
    const url = `${baseUrl}/graph/fredgraph.csv?id=${encodeURIComponent(id)}`;
    const file = path.join(dir, `${id.toUpperCase()}.csv`);
    out.push({ id, url, file, bytes: await fetchOne(url, file, opts, `FRED has no series ${id}`) });
  }
  return out;
}

export async function fetchWorldBank(baseUrl: string, indicators: string[], countries: string[], dir: string, opts: DownloadOptions): Promise<EconomicFetch[]> {
  for (const id of indicators) if (!INDICATOR.test(id)) throw new InputError(`"${id}" is not a World Bank indicator code (e.g. NY.GDP.PCAP.CD)`);
  for (const c of countries) if (!COUNTRY.test(c)) throw new InputError(`--countries: "${c}" is not a country code (ISO3 such as VEN, or ISO2)`);
  const out: EconomicFetch[] = [];
  for (const id of indicators) {
    const url = `${baseUrl}/country/${countries.map(encodeURIComponent).join(";")}/indicator/${encodeURIComponent(id)}?downloadformat=csv`;
    const fallback = `API_${id}_DS2_${countries.join("-")}.zip`;
    const tmp = path.join(dir, `.${fallback}`);
    // The API names the zip (Content-Disposition); the loader reads the CSV inside whatever the name.
    const r = await downloadNamed(url, tmp, opts, `the World Bank has no indicator ${id} for ${countries.join(", ")}`);
    const file = path.join(dir, r.fileName ?? fallback);
    fs.renameSync(tmp, file);
    out.push({ id, url, file, bytes: r.bytes });
  }
  return out;
}

async function fetchOne(url: string, file: string, opts: DownloadOptions, missing: string): Promise<number> {
  return (await downloadNamed(url, file, opts, missing)).bytes;
}

async function downloadNamed(url: string, file: string, opts: DownloadOptions, missing: string): Promise<{ bytes: number; fileName?: string }> {
  const r = await download(url, file, opts);
  if (r.status === "missing") throw new InputError(`${url}: not found (HTTP 404): ${missing}`);
  return r;
}
