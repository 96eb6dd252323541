/**
 * Reads and validates vwatch.yaml (the deployment settings, checked in at the project root).
 * Every problem is one line naming the file, its line, the key and what to do; values that could
 * be secrets are never echoed. The YAML document is kept so that later checks (an unknown tag in
 * a workflow config) can name the line too.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError } from "../errors";
import { settingsSchema, type ProductionSettings } from "./settings-schema";

export const SETTINGS_FILE = "vwatch.yaml";

export type SettingsPath = (string | number)[];

export interface DeploySettings {
  production: ProductionSettings;
  /** The file as the user names it (relative to the project), for messages. */
  file: string;
  /** `file:line` of a key (or of the nearest enclosing key that exists). */
  where(at: SettingsPath): string;
}

/** Markers of credentials that must never be in a checked-in file. */
const SECRET_LOOKING = /^(ghp_|gho_|ghs_|github_pat_|glpat-|xox[abp]-|AKIA[0-9A-Z]{12}|-----BEGIN )|^[a-z]+:\/\/[^/\s:@]+:[^@\s]+@/;

export function loadDeploySettings(projectDir: string, file = path.join(projectDir, SETTINGS_FILE)): DeploySettings {
  const shown = displayName(projectDir, file);
  if (!fs.existsSync(file)) {
    throw new ConfigError(`${shown} not found: vwatch deploy reads the production settings from it (see docs/production-deploy.md)`);
  }
  return parseDeploySettings(fs.readFileSync(file, "utf8"), shown);
}

export function parseDeploySettings(text: string, shown = SETTINGS_FILE): DeploySettings {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(`${shown}:${e.linePos?.[0].line ?? 1}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const where = (at: SettingsPath) => `${shown}:${lineOf(doc, lines, at)}`;
  const data = doc.toJS() ?? {};
  refuseSecrets(data, [], where);
  const result = settingsSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      const key = keyName(at);
      if (issue.code === "unrecognized_keys") {
        const names = issue.keys.map((k) => `"${k}"`).join(", ");
        return `${where([...at, issue.keys[0]])}: ${key ? `${key}: ` : ""}unknown key ${names}`;
      }
      if (issue.code === "invalid_type" && getIn(data, at) === undefined) return `${where(at)}: missing key ${key}`;
      return `${where(at)}: ${key}: ${issue.message}`;
    });
    throw new ConfigError(problems.join("\n"));
  }
  return { production: result.data.production, file: shown, where };
}

/** `production.workflows[0].cron` */
export function keyName(at: SettingsPath): string {
  return at.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}

function displayName(projectDir: string, file: string): string {
  const rel = path.relative(projectDir, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.basename(file);
}

/** A value that looks like a credential is refused, naming its key and line but not the value. */
function refuseSecrets(value: unknown, at: SettingsPath, where: (at: SettingsPath) => string): void {
  if (typeof value === "string" && SECRET_LOOKING.test(value)) {
    throw new ConfigError(`${where(at)}: ${keyName(at)} looks like a credential: secrets never go in this file; store the Git token in Secret Manager and name its version in production.repository.git.tokenSecretVersion`);
  }
  if (Array.isArray(value)) value.forEach((v, i) => refuseSecrets(v, [...at, i], where));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) refuseSecrets(v, [...at, k], where);
}

function getIn(data: unknown, at: SettingsPath): unknown {
  let cur = data as any;
  for (const p of at) cur = cur == null ? undefined : cur[p];
  return cur;
}

/** The line of the deepest node on `at` that exists in the document: a key's own line for a map entry. */
function lineOf(doc: Document, lines: LineCounter, at: SettingsPath): number {
  let node: unknown = doc.contents;
  let offset = 0;
  for (const step of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === step);
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number" && node.items[step] !== undefined) {
      node = node.items[step];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else break;
  }
  return lines.linePos(offset).line;
}
