/**
 * The web view's Lineage page (issue 15): the compiled graph as an inline SVG, nodes coloured by
 * their last run's status and focusable, and a details panel for the selected node (its SQLX file,
 * description, columns, tags, compiled SQL, upstream and downstream as links that select them).
 * The details travel as JSON in `<script type="application/json" id="lineage-data">`; a small
 * inline script does the selection. No external resources.
 */
import { promises as fs } from "fs";
import * as path from "path";
import type { CompiledGraph } from "../compile/graph";
import { escapeXml as esc } from "./escape";
import { lineageGraph, type LineageGraph } from "./graph";
import { layoutGraph, type Layout } from "./layout";
import { nodeStatus, NODE_STATUSES } from "./status";
import { renderSvg, STATUS_COLOURS } from "./svg";

export interface LineagePageInput {
  graph: CompiledGraph;
  /** Each action's status in its last run (ledger or run-results wording); absent = not run. */
  lastStatus: Map<string, string>;
  projectDir: string;
}

/** What the page's script reads: the nodes' details, and each SQLX file's text once (null when it cannot be read). */
export interface LineageData {
  nodes: { name: string; label: string; type: string; status: string; file?: string; description?: string; columns: { name: string; description?: string }[]; tags: string[]; sql?: string; upstream: string[]; downstream: string[] }[];
  files: Record<string, string | null>;
}

/** JSON safe inside a <script> element: no `<` (so no `</script>`), no line separators JavaScript chokes on. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

async function readSqlx(projectDir: string, file: string): Promise<string | null> {
  const root = path.resolve(projectDir);
  const full = path.resolve(root, file);
  if (!full.startsWith(root + path.sep)) return null;
  return fs.readFile(full, "utf8").catch(() => null);
}

const STYLE = `
.lineage-page .lineage-diagram{overflow:auto;max-height:70vh;border:1px solid #cfd8dc;background:#fff}
.lineage-page .lineage-details{margin-top:1rem;padding:.75rem 1rem;border:1px solid #cfd8dc;background:#fafafa;color:#1a1a1a}
.lineage-page .lineage-details pre{max-height:24rem;overflow:auto;background:#fff;border:1px solid #e0e0e0;padding:.5rem;font-size:12px;white-space:pre}
.lineage-page .lineage-details table{border-collapse:collapse}.lineage-page .lineage-details td,.lineage-page .lineage-details th{text-align:left;padding:.15rem .6rem .15rem 0;vertical-align:top}
.lineage-page .lineage-details a{color:#0d47a1}
.lineage-page .status-badge{display:inline-block;padding:0 .4rem;border:1px solid;border-radius:3px}
`;

/** The selection script: no innerHTML for data, only textContent. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var byName = {};
  data.nodes.forEach(function (n) { byName[n.name] = n; });
  var root = document.getElementById("lineage-data").closest(".lineage-page");
  var svg = root.querySelector(".lineage-diagram svg");
  var panel = root.querySelector("#lineage-details");
  var colours = JSON.parse(root.getAttribute("data-colours"));
  function el(tag, text, cls) { var e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; }
  function nodeEl(name) { var all = svg.querySelectorAll("g.node"); for (var i = 0; i < all.length; i++) if (all[i].getAttribute("data-action") === name) return all[i]; return null; }
  function section(title, child) { var s = el("section"); s.appendChild(el("h3", title)); s.appendChild(child); return s; }
  function links(names) {
    if (!names.length) return el("p", "none");
    var ul = el("ul");
    names.forEach(function (name) { var a = el("a", byName[name] ? byName[name].label : name); a.href = "#action=" + encodeURIComponent(name); a.setAttribute("data-select", name); var li = el("li"); li.appendChild(a); ul.appendChild(li); });
    return ul;
  }
  function select(name, focus) {
    var n = byName[name], g = nodeEl(name);
    if (!n || !g) return;
    svg.querySelectorAll("g.node.selected").forEach(function (s) { s.classList.remove("selected"); s.setAttribute("aria-pressed", "false"); });
    g.classList.add("selected"); g.setAttribute("aria-pressed", "true");
    if (focus) g.focus();
    if (g.scrollIntoView) g.scrollIntoView({ block: "nearest", inline: "nearest" });
    var parts = [el("h2", n.label)];
    var meta = el("p"); meta.appendChild(el("code", n.name)); meta.appendChild(document.createTextNode(" · " + n.type + " · "));
    var badge = el("span", n.status, "status-badge"); badge.style.background = colours[n.status].fill; badge.style.borderColor = colours[n.status].stroke; meta.appendChild(badge);
    parts.push(meta);
    parts.push(el("p", n.description || "No description.", "description"));
    parts.push(section("Tags", el("p", n.tags.length ? n.tags.join(", ") : "none", "tags")));
    if (n.columns.length) {
      var t = el("table", null, "columns"), head = el("tr"); head.appendChild(el("th", "column")); head.appendChild(el("th", "description")); t.appendChild(head);
      n.columns.forEach(function (c) { var tr = el("tr"); tr.appendChild(el("td", c.name)); tr.appendChild(el("td", c.description || "")); t.appendChild(tr); });
      parts.push(section("Columns", t));
    } else parts.push(section("Columns", el("p", "none described")));
    var up = section("Upstream", links(n.upstream)); up.className = "upstream"; parts.push(up);
    var down = section("Downstream", links(n.downstream)); down.className = "downstream"; parts.push(down);
    parts.push(section("Compiled SQL", el("pre", n.sql || "(none: " + n.type + ")", "sql")));
    var file = n.file ? data.files[n.file] : null;
    parts.push(section("SQLX file" + (n.file ? ": " + n.file : ""), el("pre", file == null ? (n.file ? "(cannot be read)" : "(none)") : file, "sqlx")));
    panel.replaceChildren.apply(panel, parts);
    panel.setAttribute("data-selected", name);
  }
  svg.addEventListener("click", function (e) { var g = e.target.closest("g.node"); if (g) select(g.getAttribute("data-action")); });
  svg.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") return;
    var g = e.target.closest("g.node"); if (!g) return;
    e.preventDefault(); select(g.getAttribute("data-action"));
  });
  panel.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-select]"); if (!a) return;
    e.preventDefault(); select(a.getAttribute("data-select"), true);
  });
  var m = /^#action=(.+)$/.exec(location.hash);
  if (m) select(decodeURIComponent(m[1]));
})();
`;

/**
 * The lineage and layout of each compiled graph, computed once: a server's session keeps its
 * compiled graph, and the layout (dagre's ordering) is most of a page's time; only the statuses
 * and the SQLX files are read per request.
 */
const laidOut = new WeakMap<CompiledGraph, { graph: LineageGraph; layout: Layout }>();

function lineageOf(compiled: CompiledGraph): { graph: LineageGraph; layout: Layout } {
  let entry = laidOut.get(compiled);
  if (!entry) {
    const graph = lineageGraph(compiled);
    entry = { graph, layout: layoutGraph(graph) };
    laidOut.set(compiled, entry);
  }
  return entry;
}

export async function lineagePage(input: LineagePageInput): Promise<{ title: string; body: string }> {
  const { graph, layout } = lineageOf(input.graph);
  const files: Record<string, string | null> = {};
  for (const file of new Set(graph.nodes.map((n) => n.file).filter((f): f is string => !!f))) files[file] = await readSqlx(input.projectDir, file);
  const data: LineageData = {
    nodes: graph.nodes.map((n) => ({ ...n, status: nodeStatus(input.lastStatus.get(n.name)) })),
    files,
  };
  const counts = NODE_STATUSES.map((s) => [s, data.nodes.filter((n) => n.status === s).length] as const).filter(([, c]) => c > 0);
  const body =
    `<section class="lineage-page" data-colours="${esc(JSON.stringify(STATUS_COLOURS))}">\n<style>${STYLE}</style>\n` +
    `<p class="lineage-summary">${graph.nodes.length} actions, ${graph.edges.length} dependencies (${counts.map(([s, c]) => `${c} ${s}`).join(", ")}). ` +
    `Select an action (click it, or Tab to it and press Enter) to see its SQLX file, columns and compiled SQL.</p>\n` +
    `<div class="lineage-diagram">${renderSvg(graph, { status: input.lastStatus, focusable: true, layout })}</div>\n` +
    `<aside id="lineage-details" class="lineage-details" aria-live="polite"><p>No action selected.</p></aside>\n` +
    `<script type="application/json" id="lineage-data">${scriptJson(data)}</script>\n` +
    `<script>${SCRIPT}</script>\n</section>\n`;
  return { title: "Lineage", body };
}
