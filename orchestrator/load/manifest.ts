import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { gdeltFileName } from "./gdelt-schema";

/**
 * GDELT's published file lists, masterfilelist.txt and lastupdate.txt: one `size md5 url` line
 * per file, size in bytes and MD5 of the file as published (the .zip). A file is looked up by
 * the base name of its URL.
 */
export interface ManifestEntry {
  size: number;
  /** Lower-case hex. */
  md5: string;
  url: string;
  /** 1-based line in the list. */
  line: number;
}

export interface Manifest {
  /** The list's file name, for messages. */
  source: string;
  entries: Map<string, ManifestEntry>;
  /** Lines that are not `size md5 url` (GDELT's list has had a few), left out. */
  skipped: { line: number; text: string }[];
}

const LINE = /^(\d+)\s+([0-9a-fA-F]{32})\s+(\S+)$/;

export function parseManifest(text: string, source: string): Manifest {
  const manifest: Manifest = { source, entries: new Map(), skipped: [] };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const m = LINE.exec(line);
    if (!m) return void manifest.skipped.push({ line: i + 1, text: line });
    const url = m[3];
    const name = url.replace(/[?#].*$/, "").replace(/^.*\//, "");
    if (!manifest.entries.has(name)) manifest.entries.set(name, { size: Number(m[1]), md5: m[2].toLowerCase(), url, line: i + 1 });
  });
  return manifest;
}

export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read the file list: ${(e as Error).message}`, { cause: e });
  }
  const manifest = parseManifest(text, path.basename(file));
  if (manifest.entries.size === 0) {
    const first = manifest.skipped[0];
    throw new InputError(`${file}: not a GDELT file list: no line of the form "size md5 url"${first ? ` (line ${first.line}: ${JSON.stringify(first.text.slice(0, 80))})` : ""}`);
  }
  return manifest;
}

/** Refuses (InputError) a file the manifest does not list, or whose size or MD5 differ from it. */
export async function checkAgainstManifest(manifest: Manifest, file: string): Promise<void> {
  const name = path.basename(file);
  const entry = manifest.entries.get(name);
  const where = (e: ManifestEntry) => `(${manifest.source} line ${e.line})`;
  if (!entry) {
    const published = [...manifest.entries.keys()].find((n) => gdeltFileName(n) === gdeltFileName(name));
    throw new InputError(
      published
        ? `${file}: not listed in ${manifest.source}, which lists ${published}: the MD5 is of the published file, so give that file; the file was not loaded`
        : `${file}: not listed in ${manifest.source}, so it cannot be verified; the file was not loaded`,
    );
  }
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);
  const size = fs.statSync(file).size;
  if (size !== entry.size) throw new InputError(`${file}: ${size} bytes, but the manifest lists ${entry.size} ${where(entry)}; the file was not loaded`);
  const md5 = await fileMd5(file);
  if (md5 !== entry.md5) throw new InputError(`${file}: MD5 ${md5} differs from the manifest's ${entry.md5} ${where(entry)}; the file was not loaded`);
}

async function fileMd5(file: string): Promise<string> {
  const hash = crypto.createHash("md5");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
