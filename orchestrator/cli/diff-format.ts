/**
 * How `vwatch diff` prints what a change does: plain text (a compact table, then the diffs),
 * Markdown for a pull-request comment (headline counts, a table, each SQL diff in a collapsible
 * block, cut beyond a size with a note), or the report itself as JSON. Pure functions of the report.
 */
import { formatTable } from "../log";
import type { FullRefreshVerdict } from "../plan/full-refresh";
import type { ActionChange, DownstreamAction, FieldChange } from "../plan/graph-diff";
import type { RebuildBytes } from "./diff-bytes";

export interface DiffReport {
  base: { ref: string; commit: string };
  /** The project's default database, left out of names shown to people. */
  defaultDatabase?: string;
  vars?: Record<string, string>;
  project: FieldChange[];
  changes: ActionChange[];
  downstream: DownstreamAction[];
  incremental: FullRefreshVerdict[];
  /** With --warehouse bigquery: dry-run bytes of what would rebuild. */
  bytes?: RebuildBytes[];
}

/** Lines of one SQL diff the Markdown shows before cutting it. */
export const MARKDOWN_DIFF_LINES = 80;
/** Characters of SQL diffs the whole Markdown report holds (GitHub comments stop at 65,536). */
export const MARKDOWN_DIFF_BUDGET = 40_000;

const short = (r: DiffReport, name: string) => (r.defaultDatabase && name.startsWith(`${r.defaultDatabase}.`) ? name.slice(r.defaultDatabase.length + 1) : name);
const value = (v: string | undefined) => (v === undefined ? "(none)" : v === "" ? '""' : v);

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

function counts(r: DiffReport): { modified: number; added: number; removed: number; downstream: number; refresh: number } {
  const n = (c: string) => r.changes.filter((x) => x.change === c).length;
  return { modified: n("modified"), added: n("added"), removed: n("removed"), downstream: r.downstream.length, refresh: r.incremental.filter((v) => v.fullRefresh === "yes").length };
}

/** One row per changed or downstream action: name, change, type, what changed (and the full-refresh verdict). */
function rows(r: DiffReport): { name: string; change: string; type: string; what: string; bytes?: string }[] {
  const verdict = new Map(r.incremental.map((v) => [v.name, v]));
  const bytes = new Map((r.bytes ?? []).map((b) => [b.name, b.bytes !== undefined ? formatBytes(b.bytes) : "unknown"]));
  const refresh = (name: string) => {
    const v = verdict.get(name);
    if (!v) return [];
    const text = v.fullRefresh === "yes" ? `full refresh needed (${v.reasons.join("; ")})` : v.fullRefresh === "no" ? "no full refresh needed" : `full refresh unknown (${v.reasons.join("; ")})`;
    return [v.protected ? `${text}; protected: vwatch never rebuilds it` : text, ...(v.varChange ? [v.varChange] : [])];
  };
  const changed = r.changes.map((c) => {
    const what = c.change === "modified" ? [...c.sql.map((s) => `sql: ${s.part}`), ...c.fields.map((f) => f.field)] : [];
    return { name: c.name, change: c.change, type: c.type, what: [...what, ...refresh(c.name)].join(", "), bytes: bytes.get(c.name) };
  });
  const downstream = r.downstream.map((d) => ({
    name: d.name,
    change: "downstream",
    type: d.type,
    what: [`reads ${d.via.map((v) => short(r, v)).join(", ")}`, ...refresh(d.name)].join(", "),
    bytes: bytes.get(d.name),
  }));
  return [...changed, ...downstream].map((x) => ({ ...x, name: short(r, x.name) }));
}

/** "built with z_threshold=2.0: the next run refuses to merge until --accept-var-change z_threshold or --full-refresh". */
export function varChangeNote(v: FullRefreshVerdict): string | undefined {
  if (!v.builtWith?.length) return undefined;
  const names = v.builtWith.map((b) => b.name).join(",");
  const until = v.protected ? `--accept-var-change ${names} (it is protected: never rebuilt)` : `--accept-var-change ${names} or --full-refresh`;
  return `built with ${v.builtWith.map((b) => `${b.name}=${b.value}`).join(", ")}: the next run refuses to merge until ${until}`;
}

function headline(r: DiffReport): string {
  const c = counts(r);
  const parts = [`${c.modified} modified`, `${c.added} added`, `${c.removed} removed`, `${c.downstream} downstream`];
  if (r.incremental.length) parts.push(`${c.refresh} incremental table${c.refresh === 1 ? "" : "s"} needing a full refresh`);
  const total = r.bytes?.reduce((sum, b) => sum + (b.bytes ?? 0), 0);
  if (total !== undefined && r.bytes?.length) parts.push(`${formatBytes(total)} scanned to rebuild${r.bytes.some((b) => b.bytes === undefined) ? " (some unknown)" : ""}`);
  return parts.join(", ");
}

const isEmpty = (r: DiffReport) => !r.changes.length && !r.project.length;
const fieldLine = (f: FieldChange) => `${f.field}: ${value(f.before)} → ${value(f.after)}`;

export function formatPlain(r: DiffReport): string {
  const against = `against ${r.base.ref} (${r.base.commit.slice(0, 7)})`;
  if (isEmpty(r)) return `no changes ${against}`;
  const out = [`${against}: ${headline(r)}`];
  if (r.project.length) out.push("", "settings:", ...r.project.map((f) => `  ${fieldLine(f)}`));
  const table = rows(r);
  if (table.length) {
    const withBytes = Boolean(r.bytes);
    out.push("", formatTable(["action", "change", "type", "what", ...(withBytes ? ["bytes"] : [])], table.map((x) => [x.name, x.change, x.type, x.what, ...(withBytes ? [x.bytes ?? ""] : [])])));
  }
  for (const c of r.changes) {
    for (const f of c.fields) out.push("", `-- ${short(r, c.name)}: ${fieldLine(f)}`);
    for (const s of c.sql) out.push("", `-- ${short(r, c.name)}: ${s.part} (${c.change})`, s.diff);
  }
  return out.join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function formatMarkdown(r: DiffReport, command = `vwatch diff --base ${r.base.ref}`): string {
  const title = `### What this change does (against ${code(r.base.ref)}, ${r.base.commit.slice(0, 7)})`;
  if (isEmpty(r)) return `${title}\n\nNo action's compiled SQL or configuration changed.\n`;
  const out = [title, "", `**${headline(r)}**`];
  if (r.project.length) {
    out.push("", "Settings (`workflow_settings.yaml`):", "");
    for (const f of r.project) out.push(`- ${code(f.field)}: ${code(value(f.before))} → ${code(value(f.after))}`);
  }
  const table = rows(r);
  if (table.length) {
    const withBytes = Boolean(r.bytes);
    out.push("", `| action | change | type | what |${withBytes ? " bytes |" : ""}`, `| --- | --- | --- | --- |${withBytes ? " ---: |" : ""}`);
    for (const x of table) out.push(`| ${code(x.name)} | ${x.change} | ${x.type} | ${cell(x.what)} |${withBytes ? ` ${x.bytes ?? ""} |` : ""}`);
  }
  const fields = r.changes.flatMap((c) => c.fields.map((f) => `- ${code(short(r, c.name))} ${code(f.field)}: ${code(value(f.before))} → ${code(value(f.after))}`));
  if (fields.length) out.push("", "Configuration:", "", ...fields);
  let budget = MARKDOWN_DIFF_BUDGET;
  let left = 0;
  for (const c of r.changes) {
    for (const s of c.sql) {
      if (budget <= 0) {
        left++;
        continue;
      }
      const lines = s.diff.split("\n");
      let shown = lines.slice(0, MARKDOWN_DIFF_LINES).join("\n");
      if (shown.length > budget) shown = shown.slice(0, shown.lastIndexOf("\n", budget) + 1 || budget).replace(/\n$/, "");
      budget -= shown.length;
      const cut = lines.length - shown.split("\n").length;
      const fence = s.diff.includes("```") ? "````" : "```";
      out.push("", `<details><summary><code>${html(short(r, c.name))}</code> ${s.part} (${c.change}, ${lines.length} lines)</summary>`, "", `${fence}diff`, shown, fence);
      if (cut > 0) out.push("", `… ${cut} more line${cut === 1 ? "" : "s"}: run ${code(command)} for the whole diff.`);
      out.push("", "</details>");
    }
  }
  if (left) out.push("", `${left} more SQL diff${left === 1 ? "" : "s"} left out for size: run ${code(command)} to see them.`);
  return out.join("\n") + "\n";
}
