/**
 * Translations of BigQuery SQL into DuckDB's, kept beside the warehouse file and reused by the
 * next command: a run's statements rarely change between runs, and a command that finds all of
 * them here never starts the translator (its WebAssembly start and first pass cost about a
 * second). Entries are keyed on the text and the project's defaults, under a version made of the
 * translator package's version and the engine's own translation code, so an edit to either starts
 * afresh. Only successful translations are kept: rejected SQL is rejected again, with its error.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { TranslateContext } from "../../translate/translate";

/** Entries kept (in memory and in the file): the project's statements many times over. */
const KEEP = 2000;

let version: string | undefined;

/** The translator's version: polyglot's package version and the source of our passes around it. */
function translatorVersion(): string {
  if (version) return version;
  const hash = createHash("sha256");
  // Read by path: the package does not export its package.json.
  hash.update(fs.readFileSync(path.join(path.dirname(require.resolve("@polyglot-sql/sdk")), "..", "package.json")));
  const dirs = [path.join(__dirname, "..", "..", "translate"), path.join(__dirname, "..", "..", "sql")];
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir).sort()) {
      if (/\.[jt]s$/.test(name)) hash.update(`\0${name}\0`).update(fs.readFileSync(path.join(dir, name)));
    }
  }
  return (version = hash.digest("hex").slice(0, 16));
}

export class Translations {
  private entries = new Map<string, string>();
  private loaded = false;
  private changed = false;

  /** `file` undefined: kept in memory only (an in-memory warehouse). */
  constructor(private readonly file: string | undefined) {}

  async translate(sql: string, ctx: TranslateContext): Promise<string> {
    this.load();
    const key = createHash("sha256").update(JSON.stringify([ctx.defaultDatabase ?? null, ctx.defaultSchema ?? null, sql])).digest("base64url");
    const known = this.entries.get(key);
    if (known !== undefined) {
      // Most recently used last, so that pruning drops the oldest.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const t = await import("../../translate/translate");
    const translated = await t.translateToDuckdbAsync(sql, ctx);
    this.entries.set(key, translated);
    if (this.entries.size > KEEP) this.entries.delete(this.entries.keys().next().value!);
    this.changed = true;
    return translated;
  }

  /** Writes the entries back when any were added (atomically: a reader never sees half a file). */
  save(): void {
    if (!this.file || !this.changed) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ version: translatorVersion(), entries: Object.fromEntries(this.entries) }));
      fs.renameSync(tmp, this.file);
      this.changed = false;
    } catch {
      // A cache: a full disk or a read-only home costs the next command a translation, nothing more.
      fs.rmSync(tmp, { force: true });
    }
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.file || !fs.existsSync(this.file)) return;
    try {
      const stored = JSON.parse(fs.readFileSync(this.file, "utf8")) as { version?: string; entries?: Record<string, string> };
      if (stored.version !== translatorVersion() || !stored.entries) return;
      for (const [k, v] of Object.entries(stored.entries)) if (typeof v === "string") this.entries.set(k, v);
    } catch {
      // A damaged file: translate again, and the next save replaces it.
    }
  }
}
