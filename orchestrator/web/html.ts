/**
 * HTML for the web view: plain template strings. Every value from data or from the request goes
 * through esc() (text and attributes) or jsonScript() (chart data); nothing else is interpolated.
 */

/** Where the web view lives on the server: beside the API (`/runs` there is JSON), so under its own path. */
export const BASE = "/ui";
/** A path of the web view (`/spikes` → `/ui/spikes`). */
export const href = (path: string) => `${BASE}${path}`;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value, escaped. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * Data for the page's scripts (and for tests, which read it instead of pixels) in a
 * `<script type="application/json">`: `<` is written as \u003c so no value can close the element.
 */
export function jsonScript(id: string, data: unknown, attributes = ""): string {
  const text = JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return `<script type="application/json" id="${esc(id)}"${attributes ? ` ${attributes}` : ""}>${text}</script>`;
}

/** A table: headers, then rows of cells already HTML. */
export function table(headers: string[], rows: string[][], attributes = ""): string {
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${attributes ? ` ${attributes}` : ""}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A number for people: fixed digits, "n/a" when absent. */
export function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(Number(x)) ? "n/a" : Number(x).toFixed(digits);
}

export interface NavEntry {
  path: string;
  label: string;
}

/** The whole document: navigation (the current page marked), the page's body, the chart scripts. */
export function layout(page: { title: string; body: string; charts?: boolean }, nav: NavEntry[], current: string): string {
  const links = nav
    .map((n) => `<a href="${esc(href(n.path))}"${n.path === current ? ' aria-current="page"' : ""}>${esc(n.label)}</a>`)
    .join("\n");
  const chartHead = page.charts ? `<link rel="stylesheet" href="${BASE}/assets/uPlot.min.css">\n<script src="${BASE}/assets/uPlot.iife.min.js" defer></script>\n<script src="${BASE}/assets/charts.js" defer></script>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)} · VenezuelaWatch</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BASE}/assets/web.css">
${chartHead}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">VenezuelaWatch</span><nav aria-label="Pages">
${links}
</nav></header>
<main id="main">
<h1>${esc(page.title)}</h1>
${page.body}
</main>
</body>
</html>
`;
}
