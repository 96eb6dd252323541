import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import * as zlib from "zlib";
import { Unzip, UnzipInflate } from "fflate";
import { InputError } from "../errors";
import { gdeltFileName } from "./gdelt-schema";

/**
 * Reading source files as users download them: plain, gzip (`.gz`) or zip. Every loader reads
 * through forEachMember, so a damaged or empty archive gets the same one-line error everywhere.
 * The compression is taken from the file's first bytes, not its name.
 */
type Compression = "none" | "gzip" | "zip";
const CHUNK = 1 << 20;
const read = (file: string) => fs.createReadStream(file, { highWaterMark: CHUNK });

export function detectCompression(file: string): Compression {
  const head = Buffer.alloc(4);
  let n: number;
  try {
    const fd = fs.openSync(file, "r");
    try {
      n = fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new InputError(`${file}: no such file`);
    throw new InputError(`${file}: cannot read: ${err.message}`, { cause: e });
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
  return "none";
}

/** Receives one member's decompressed content, chunk by chunk, in order. */
export type MemberSink = (chunk: Uint8Array) => void;

/**
 * Calls onMember for each member: every file of a zip, else the one (decompressed) content,
 * named like the file without `.gz`. onMember returns the sink for the member's chunks, or
 * undefined to skip it. Unreadable, truncated or empty content is an InputError naming the file;
 * an error thrown by onMember or a sink (say, a full disk while copying) passes through as it is.
 */
export async function forEachMember(file: string, onMember: (name: string) => MemberSink | undefined): Promise<void> {
  const compression = detectCompression(file);
  // The first error thrown by onMember or a sink. Streams report it wrapped or as an abort, so
  // it is kept here and rethrown as it was.
  let own: { error: unknown } | undefined;
  const mine = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      own ??= { error: e };
      throw e;
    }
  };
  const guarded = (name: string): MemberSink | undefined => {
    const sink = mine(() => onMember(name));
    return sink && ((chunk) => mine(() => sink(chunk)));
  };
  try {
    if (compression === "zip") return await unzipMembers(file, guarded);
    const sink = guarded(path.basename(file).replace(/\.gz$/i, ""));
    let bytes = 0;
    const each = (chunk: Uint8Array) => {
      bytes += chunk.length;
      sink?.(chunk);
    };
    if (compression === "none") {
      for await (const chunk of read(file)) each(chunk as Buffer);
    } else {
      await pipeline(read(file), zlib.createGunzip({ chunkSize: CHUNK }), async (source) => {
        for await (const chunk of source) each(chunk as Buffer);
      });
    }
    if (bytes === 0) {
      throw new InputError(
        compression === "none" ? `${file}: the file is empty (0 bytes); download it again` : `${file}: the gzip content is empty (0 bytes once decompressed); download it again`,
      );
    }
  } catch (e) {
    if (own) throw own.error;
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read ${compression === "none" ? "the file" : `${compression} content`}: ${(e as Error).message}`, { cause: e });
  }
}

async function unzipMembers(file: string, onMember: (name: string) => MemberSink | undefined): Promise<void> {
  const members: { name: string; bytes: number; finished: boolean; used: boolean }[] = [];
  let own: unknown; // thrown by onMember or a sink: passed on as it is
  let broken: unknown; // the zip's own data is bad
  const unzip = new Unzip((entry) => {
    if (entry.name.endsWith("/") || own || broken) return; // a folder entry
    const member = { name: entry.name, bytes: 0, finished: false, used: false };
    members.push(member);
    let sink: MemberSink | undefined;
    try {
      sink = onMember(entry.name);
    } catch (e) {
      return void (own = e);
    }
    member.used = sink !== undefined;
    entry.ondata = (err, data, final) => {
      if (own || broken) return;
      if (err) return void (broken = err);
      member.bytes += data.length;
      try {
        if (data.length > 0) sink?.(data);
      } catch (e) {
        return void (own = e);
      }
      if (final) member.finished = true;
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  try {
    for await (const chunk of read(file)) {
      unzip.push(chunk as Buffer, false);
      if (own || broken) break;
    }
    if (!own && !broken) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    broken ??= e;
  }
  if (own) throw own;
  const cut = members.find((m) => !m.finished);
  if (cut) throw new InputError(`${file}: cannot read zip content: ${cut.name} is cut short (an incomplete download?)`);
  if (broken) throw broken;
  if (members.length === 0) throw new InputError(`${file}: the zip holds no file`);
  const empty = members.find((m) => m.used && m.bytes === 0);
  if (empty) throw new InputError(`${file}: ${empty.name} in the zip is empty (0 bytes); download it again`);
}

/** Each member's whole content, for files small enough to hold in memory (the economic downloads). */
export async function readMembers(file: string, accept: (name: string) => boolean = () => true): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; chunks: Uint8Array[] }[] = [];
  await forEachMember(file, (name) => {
    if (!accept(name)) return undefined;
    const member = { name, chunks: [] as Uint8Array[] };
    out.push(member);
    return (chunk) => member.chunks.push(chunk);
  });
  return out.map((m) => ({ name: m.name, bytes: Buffer.concat(m.chunks) }));
}

export interface Materialized {
  /** A plain CSV DuckDB can read: the file itself, or a decompressed temporary copy. */
  path: string;
  temporary: boolean;
  /** SHA-256 of the decompressed content, hex. */
  sha256: string;
  bytes: number;
  /** The content holds a NUL byte somewhere. */
  hasNul: boolean;
}

/**
 * The one CSV of a GDELT file as a plain file (decompressed into tmpDir when needed), hashed on
 * the way. Errors writing the copy (a full temp folder) pass through as they are.
 */
export async function materialize(file: string, tmpDir: string): Promise<Materialized> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  let hasNul = false;
  const compression = detectCompression(file);
  const temporary = compression !== "none";
  const out = temporary ? path.join(tmpDir, `${gdeltFileName(file)}.tsv`) : file;
  let fd: number | undefined;
  let members = 0;
  let done = false;
  try {
    await forEachMember(file, (name) => {
      if (++members > 1) throw new InputError(`${file}: a GDELT zip holds one CSV; this one has more (${name}, …)`);
      if (temporary) fd = fs.openSync(out, "w");
      return (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (!hasNul && chunk.indexOf(0) !== -1) hasNul = true;
        if (fd !== undefined) writeFully(fd, chunk);
      };
    });
    done = true;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    if (temporary && !done) fs.rmSync(out, { force: true });
  }
  return { path: out, temporary, sha256: hash.digest("hex"), bytes, hasNul };
}

/**
 * Writes all of bytes. fs.writeSync may write only part of a buffer (on a filesystem that is
 * filling up) without an error; the next write then reports ENOSPC, so a lone short write must
 * never be taken for the whole.
 */
export function writeFully(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** Calls onLine for every line of the (decompressed) content, without the line break. */
export async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder("utf-8");
  await forEachMember(file, () => (chunk) => {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  });
  rest += decoder.decode();
  if (rest) onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
}
