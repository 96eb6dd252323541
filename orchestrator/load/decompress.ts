import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import * as zlib from "zlib";
import { Unzip, UnzipInflate } from "fflate";
import { InputError } from "../errors";
import { gdeltFileName } from "./gdelt-schema";

/**
 * Reading raw GDELT files as published: plain, gzip (`.gz`) or a zip holding one CSV (GDELT's
 * own `.zip`). The compression is taken from the file's first bytes, not its name.
 */
type Compression = "none" | "gzip" | "zip";
const CHUNK = 1 << 20;
const read = (file: string) => fs.createReadStream(file, { highWaterMark: CHUNK });

export function detectCompression(file: string): Compression {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    const n = fs.readSync(fd, head, 0, 4, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
    if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
    return "none";
  } finally {
    fs.closeSync(fd);
  }
}

/** Calls onChunk with the decompressed content, in order. Zips must hold exactly one file. */
async function forEachChunk(
  file: string,
  onChunk: (chunk: Uint8Array) => void,
  compression: Compression = detectCompression(file),
): Promise<void> {
  try {
    if (compression === "none") {
      for await (const chunk of read(file)) onChunk(chunk as Buffer);
    } else if (compression === "gzip") {
      await pipeline(read(file), zlib.createGunzip({ chunkSize: CHUNK }), async (source) => {
        for await (const chunk of source) onChunk(chunk as Buffer);
      });
    } else {
      await unzipSingle(file, onChunk);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read ${compression === "none" ? "file" : compression + " content"}: ${(e as Error).message}`, { cause: e });
  }
}

async function unzipSingle(file: string, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const entries: string[] = [];
  let failure: unknown;
  let finished = false;
  const unzip = new Unzip((entry) => {
    if (entry.name.endsWith("/")) return; // a folder entry
    entries.push(entry.name);
    if (entries.length > 1) {
      failure ??= new InputError(`${file}: a GDELT zip holds one CSV; this one has ${entries.join(", ")}, …`);
      return;
    }
    entry.ondata = (err, data, final) => {
      if (err) failure ??= err;
      else {
        onChunk(data);
        if (final) finished = true;
      }
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  for await (const chunk of read(file)) {
    unzip.push(chunk as Buffer, false);
    if (failure) break;
  }
  if (!failure) unzip.push(new Uint8Array(0), true);
  if (failure) throw failure;
  if (entries.length === 0) throw new InputError(`${file}: the zip holds no file`);
  if (!finished) throw new InputError(`${file}: the zip entry ${entries[0]} is truncated`);
}

export interface Materialized {
  /** A plain CSV DuckDB can read: the file itself, or a decompressed temporary copy. */
  path: string;
  temporary: boolean;
  /** SHA-256 of the decompressed content, hex. */
  sha256: string;
  bytes: number;
}

/** Decompresses into tmpDir when needed, hashing the content on the way. */
export async function materialize(file: string, tmpDir: string): Promise<Materialized> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  const compression = detectCompression(file);
  if (compression === "none") {
    await forEachChunk(file, (c) => {
      hash.update(c);
      bytes += c.length;
    }, compression);
    return { path: file, temporary: false, sha256: hash.digest("hex"), bytes };
  }
  const out = path.join(tmpDir, `${gdeltFileName(file)}.tsv`);
  const fd = fs.openSync(out, "w");
  try {
    await forEachChunk(file, (c) => {
      hash.update(c);
      bytes += c.length;
      fs.writeSync(fd, c);
    }, compression);
  } finally {
    fs.closeSync(fd);
  }
  return { path: out, temporary: true, sha256: hash.digest("hex"), bytes };
}

/** Calls onLine for every line of the decompressed content (without the line break). */
export async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder("utf-8");
  await forEachChunk(file, (chunk) => {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  });
  rest += decoder.decode();
  if (rest) onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
}
