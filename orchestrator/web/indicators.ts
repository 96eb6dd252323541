/**
 * The Indicators page: the loaded FRED series, the focus country's World Bank indicators and the
 * Comtrade totals as small charts (FRED's daily series as monthly means) (queries/web-*.sql), and the Vertex AI training-data check with
 * its measured values (check/vertex.ts, as `vwatch check vertex` runs it).
 */
import { measureTrainingData, evaluate } from "../check/vertex";
import { InputError } from "../errors";
import { COLORS, chartBlock, type ChartSpec } from "./chart-data";
import type { Page, WebContext } from "./context";
import { esc, jsonScript, table } from "./html";
import { webQuery } from "./queries";

/** The World Bank country shown (ISO 3166-1 alpha-3). */
export const WORLD_BANK_COUNTRY = "VEN";

/** One chart per group of rows (a series, an indicator, a trade flow). */
function chartsBy<R>(rows: R[], key: (r: R) => string, title: (r: R) => string, day: (r: R) => string, value: (r: R) => number | null, idPrefix: string): string {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const group = groups.get(key(r));
    if (group) group.push(r);
    else groups.set(key(r), [r]);
  }
  return [...groups.values()]
    .map((g, i) => {
      const spec: ChartSpec = { title: title(g[0]), days: g.map(day), series: [{ label: title(g[0]), values: g.map(value), color: i % 2 ? COLORS.second : COLORS.primary }], height: 180 };
      return chartBlock(`${idPrefix}-${i + 1}`, spec);
    })
    .join("\n");
}

/** A section whose model is not built says what to run instead of failing the page. */
async function section(heading: string, render: () => Promise<string>): Promise<string> {
  try {
    return `<section><h2>${esc(heading)}</h2>\n${await render()}</section>`;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return `<section><h2>${esc(heading)}</h2>\n<p class="notice">${esc(e.message)}</p></section>`;
  }
}

export async function indicatorsPage(ctx: WebContext): Promise<Page> {
  const s = ctx.session;
  const fred = await section("FRED", async () => {
    const rows = await webQuery<{ series_id: string; series_name: string | null; units: string | null; date: string; value: number | null }>(s, "web-fred", { models: ["fred_indicators"] });
    return rows.length ? `<div class="grid">${chartsBy(rows, (r) => r.series_id, (r) => `${r.series_id}${r.series_name ? `: ${r.series_name}` : ""}${r.units ? ` (${r.units})` : ""}, monthly mean`, (r) => r.date, (r) => r.value, "chart-fred")}</div>` : "<p>No FRED series loaded.</p>";
  });
  const worldBank = await section(`World Bank (${WORLD_BANK_COUNTRY})`, async () => {
    const rows = await webQuery<{ indicator_id: string; indicator_name: string | null; date: string; value: number | null }>(s, "web-world-bank", { models: ["world_bank"], params: { country_code: WORLD_BANK_COUNTRY } });
    return rows.length ? `<div class="grid">${chartsBy(rows, (r) => r.indicator_id, (r) => `${r.indicator_id}${r.indicator_name ? `: ${r.indicator_name}` : ""}`, (r) => r.date, (r) => r.value, "chart-worldbank")}</div>` : `<p>No World Bank indicator loaded for ${WORLD_BANK_COUNTRY}.</p>`;
  });
  const comtrade = await section("UN Comtrade totals (trade with the World, US$)", async () => {
    const rows = await webQuery<{ trade_flow: string; frequency: string; period: string; value_usd: number }>(s, "web-comtrade", { models: ["un_comtrade"] });
    return rows.length ? `<div class="grid">${chartsBy(rows, (r) => `${r.trade_flow} ${r.frequency}`, (r) => `${r.trade_flow}, ${r.frequency}`, (r) => r.period, (r) => r.value_usd, "chart-comtrade")}</div>` : "<p>No Comtrade totals loaded.</p>";
  });
  const vertex = await section("Vertex AI training-data check", async () => {
    const graph = s.graph();
    const model = (graph.tables ?? []).find((t) => t.target.name === "entity_risk_training_data");
    if (!model) return "<p>The project has no entity_risk_training_data model.</p>";
    const report = evaluate(await measureTrainingData(await s.warehouse(), model.target, graph.projectConfig));
    const rows = report.requirements.map((r) => [esc(r.requirement), esc(r.level), `<span class="status status-${esc(r.status)}">${esc(r.status)}</span>`, esc(r.measured)]);
    const warnings = report.requirements.filter((r) => r.status === "warn").length;
    return `<p class="verdict${report.passed ? "" : " failed"}" id="vertex-verdict">${esc(report.table)}: ${report.passed ? `passed${warnings ? ` with ${warnings} warning(s)` : ""}` : "FAILED"}</p>\n${table(["requirement", "level", "status", "measured"], rows, 'id="vertex"')}`;
  });
  return { title: "Indicators", body: [fred, worldBank, comtrade, vertex].join("\n"), charts: true };
}
