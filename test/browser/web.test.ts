import * as fs from "fs";
import * as path from "path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { insertRun, type LedgerRun } from "../../orchestrator/ledger/runs";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import { runCli } from "../helpers/cli";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";
import { embedded, launchChromium, SCREENSHOTS, watchedPage } from "./browser";

/**
 * The web view in Debian's chromium, on the sample that `vwatch start` builds: every page loads
 * without a console error, the spike chart carries exactly what `vwatch explain --json` prints, the
 * filters narrow the spikes, and a failed action's message shows on the Runs page.
 */
let db: { url: string; drop: () => Promise<void> };
let home: string;
let session: Session;
let server: RunningServer;
let browser: Browser;
let ui: string;
let spikes: { event_id: number; spike_date: string; confidence_level: string }[];
const env = { ...process.env };

const FAILED_RUN: LedgerRun = {
  id: "3f0c9a6e-0000-4000-8000-000000000015",
  trigger: "cli",
  correlationId: "3f0c9a6e-0000-4000-8000-000000000015",
  ranOn: "duckdb",
  selection: { tags: ["mentions"] },
  vars: {},
  fullRefresh: false,
  startedAt: "2015-03-01T06:00:00.000Z",
  endedAt: "2015-03-01T06:00:04.000Z",
  status: "failed",
  actions: [
    { name: "venezuelawatch.intermediate.int_focus_events", status: "success", rows: 12, seconds: 1.25 },
    { name: "venezuelawatch.analytics.assert_entity_mentions_have_events", status: "failed", seconds: 0.5, error: "assertion failed: 3 row(s) of entity_mentions name no event" },
    { name: "venezuelawatch.analytics.mention_spikes", status: "skipped", seconds: 0 },
  ],
};

beforeAll(async () => {
  db = await freshDatabase("vwatch_web");
  home = tempHome();
  process.env.DATABASE_URL = db.url;
  const start = await runCli(["--home", home, "--project-dir", repoRoot, "start"]);
  expect(start.code, start.err).toBe(0);
  spikes = (await warehouseRows(home, "select event_id, cast(spike_date as varchar) as spike_date, confidence_level from analytics.mention_spikes order by spike_date desc, z_score desc")) as typeof spikes;
  await asAdmin((c) => insertRun({ execute: (sql, params) => c.query(sql, params) as any }, FAILED_RUN), new URL(db.url).pathname.slice(1));
  session = new Session(loadConfig({ home, projectDir: repoRoot }), productHooks);
  server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 });
  ui = `${server.url}/ui`;
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
  await session?.close();
  process.env = env;
  await db?.drop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** Opens a page, waits for its charts to be drawn, saves its screenshot; the page and its console errors. */
async function open(url: string, screenshot: string) {
  const { page, errors } = await watchedPage(browser);
  const response = await page.goto(url);
  const charts = await page.locator("script[data-chart]").count();
  if (charts) await page.waitForFunction(`document.querySelectorAll(".uplot").length === ${charts}`, undefined, { timeout: 10_000 });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshot}.png`), fullPage: true });
  return { page, errors, status: response?.status(), charts };
}

async function explainJson(eventId: number, day: string) {
  const r = await runCli(["--home", home, "--project-dir", repoRoot, "explain", String(eventId), day, "--json"]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

describe("the web view in chromium", () => {
  it("Spikes lists mention_spikes newest first, each linked to its chart", async () => {
    expect(spikes.length).toBeGreaterThan(1);
    const { page, errors, status } = await open(`${ui}/spikes`, "spikes");
    expect(status).toBe(200);
    expect(errors).toEqual([]);
    const days = await page.locator("#spikes tbody tr td:first-child").allTextContents();
    expect(days).toEqual(spikes.map((s) => s.spike_date));
    const events = await page.locator("#spikes tbody tr td:nth-child(2)").allTextContents();
    expect(events.map(Number)).toEqual(spikes.map((s) => s.event_id));
    await page.locator("#spikes tbody tr").first().locator("a").first().click();
    await page.waitForURL(/\/ui\/spikes\/chart\?/);
    expect(new URL(page.url()).searchParams.get("event")).toBe(String(spikes[0].event_id));
    expect(new URL(page.url()).searchParams.get("day")).toBe(spikes[0].spike_date);
    await page.close();
  });

  it("is keyboard-usable: Tab reaches the skip link, then the navigation, each with a visible focus outline", async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${ui}/spikes`);
    const focused = () => page.evaluate(`(() => { const e = document.activeElement; const s = getComputedStyle(e); return [e.textContent, s.outlineStyle, s.outlineWidth]; })()`);
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual(["Skip to content", "solid", "3px"]);
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual(["Spikes", "solid", "3px"]);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual(["Runs", "solid", "3px"]);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ui\/runs$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the filters narrow the spikes: confidence, day range and event, from the form", async () => {
    const { page, errors } = await open(`${ui}/spikes`, "spikes-before-filters");
    const level = spikes[spikes.length - 1].confidence_level;
    await page.selectOption("select[name=confidence]", level);
    await page.click("form[aria-label='Filter spikes'] button[type=submit]");
    await page.waitForURL(/confidence=/);
    const confidences = await page.locator("#spikes tbody tr td:nth-child(6)").allTextContents();
    expect(confidences).toEqual(spikes.filter((s) => s.confidence_level === level).map(() => level));

    const day = spikes[1].spike_date;
    await page.goto(`${ui}/spikes?from=${day}&to=${day}`);
    expect(await page.locator("#spikes tbody tr td:first-child").allTextContents()).toEqual(spikes.filter((s) => s.spike_date === day).map((s) => s.spike_date));

    const event = spikes[0].event_id;
    await page.fill("input[name=from]", "");
    await page.fill("input[name=to]", "");
    await page.fill("form[aria-label='Filter spikes'] input[name=event]", String(event));
    await page.press("form[aria-label='Filter spikes'] input[name=event]", "Enter");
    await page.waitForURL(new RegExp(`event=${event}`));
    expect((await page.locator("#spikes tbody tr td:nth-child(2)").allTextContents()).map(Number)).toEqual(spikes.filter((s) => s.event_id === event).map((s) => s.event_id));

    await page.screenshot({ path: path.join(SCREENSHOTS, "spikes-filtered.png"), fullPage: true });
    await page.goto(`${ui}/spikes?from=2030-01-01`);
    expect(await page.locator("#spikes-empty").textContent()).toBe("No spike matches these filters.");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a spike's chart carries exactly the numbers `vwatch explain --json` prints, and draws them", async () => {
    const { event_id, spike_date } = spikes[0];
    const cli = await explainJson(event_id, spike_date);
    const { page, errors, charts } = await open(`${ui}/spikes/chart?event=${event_id}&day=${spike_date}`, "spike-chart");
    expect(errors).toEqual([]);
    expect(charts).toBe(1);
    expect(await embedded(page, "explain-data")).toEqual(cli);
    const chart = await embedded(page, "chart-spike");
    expect(chart.days).toEqual(cli.series.map((d: { day: string }) => d.day));
    const [mentions, mean, band, scored] = chart.series;
    expect(mentions.values).toEqual(cli.series.map((d: { mention_count: number }) => d.mention_count));
    expect(mean.values).toEqual(cli.series.map((d: { baseline_avg: number | null }) => d.baseline_avg));
    const at = chart.days.indexOf(spike_date);
    // The band on the scored day: mean + z_threshold (2 in workflow_settings.yaml) × the sd the model used.
    expect(band.values[at]).toBeCloseTo(cli.series[at].baseline_avg + 2 * cli.sdUsed, 9);
    expect(scored.values.filter((v: number | null) => v !== null)).toEqual([cli.series[at].mention_count]);
    expect(await page.locator("#verdict").textContent()).toBe(cli.verdict);
    expect(await page.locator(".rules li").allTextContents()).toEqual(cli.checks.map((c: { rule: string }) => `held ${c.rule}`));
    await page.close();
  });

  it("a day that did not fire is charted too, with the rule that did not hold", async () => {
    const { event_id, spike_date } = spikes[0];
    const cli = await explainJson(event_id, spike_date);
    // The first scored day of the series: too little history to be a spike.
    const day = cli.series[0].day;
    const quiet = await explainJson(event_id, day);
    expect(quiet.isSpike).toBe(false);
    const { page, errors } = await open(`${ui}/spikes/chart?event=${event_id}&day=${day}`, "spike-chart-not-fired");
    expect(errors).toEqual([]);
    expect(await embedded(page, "explain-data")).toEqual(quiet);
    expect(await page.locator("#verdict").textContent()).toBe(quiet.verdict);
    const failed = await page.locator(".rules li.failed").allTextContents();
    expect(failed).toEqual(quiet.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { rule: string }) => `did not hold ${c.rule}`));
    expect(failed.length).toBeGreaterThan(0);
    await page.close();
  });

  it("Lineage draws one node per action and one edge per dependency, coloured by the last run, and selecting a node shows its SQLX file", async () => {
    const lineage = await runCli(["--home", home, "--project-dir", repoRoot, "lineage", "--format", "json"]);
    expect(lineage.code, lineage.err).toBe(0);
    const graph = JSON.parse(lineage.out) as { nodes: { name: string; type: string; file?: string }[]; edges: { from: string; to: string }[] };
    const { page, errors, status } = await open(`${ui}/lineage`, "lineage");
    expect(status).toBe(200);
    expect(errors).toEqual([]);
    const nodes = await page.locator("svg g.node").evaluateAll((els) => els.map((e) => [e.getAttribute("data-action"), e.getAttribute("data-type"), e.getAttribute("data-status")]));
    expect(nodes.map(([name]) => name).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    expect(new Map(nodes.map(([name, type]) => [name, type]))).toEqual(new Map(graph.nodes.map((n) => [n.name, n.type])));
    const edges = await page.locator("svg path.edge").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-from")} -> ${e.getAttribute("data-to")}`));
    expect(edges.sort()).toEqual(graph.edges.map((e) => `${e.from} -> ${e.to}`).sort());
    // `vwatch start` ran every action (the 2015 failed run in the ledger is older): tables succeeded, the
    // training-data row-count assertion warned, the declarations were not run.
    const statusOf = new Map(nodes.map(([name, , st]) => [name, st]));
    expect(statusOf.get("venezuelawatch.analytics.mention_spikes")).toBe("succeeded");
    expect(statusOf.get("venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count")).toBe("warning");
    expect(graph.nodes.filter((n) => n.type === "declaration").every((n) => statusOf.get(n.name) === "not run")).toBe(true);

    // Keyboard: focus the spikes model's node, Enter selects it; its upstream links select those nodes.
    const spikesNode = page.locator('svg g.node[data-action="venezuelawatch.analytics.mention_spikes"]');
    await spikesNode.focus();
    await page.keyboard.press("Enter");
    const panel = page.locator("#lineage-details");
    expect(await panel.getAttribute("data-selected")).toBe("venezuelawatch.analytics.mention_spikes");
    const file = graph.nodes.find((n) => n.name === "venezuelawatch.analytics.mention_spikes")!.file!;
    expect(await panel.locator("pre.sqlx").textContent()).toBe(fs.readFileSync(path.join(repoRoot, file), "utf8"));
    const upstream = graph.edges.filter((e) => e.to === "venezuelawatch.analytics.mention_spikes").map((e) => e.from);
    expect(await panel.locator(".upstream a").evaluateAll((els) => els.map((e) => e.getAttribute("data-select")))).toEqual(upstream);
    await panel.locator(".upstream a").first().click();
    expect(await panel.getAttribute("data-selected")).toBe(upstream[0]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "lineage-selected.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Runs shows each run's actions as a timeline, and a failed action's message", async () => {
    const { page, errors } = await open(`${ui}/runs`, "runs");
    expect(errors).toEqual([]);
    const failed = page.locator(`#run-${FAILED_RUN.id}`);
    expect(await failed.getAttribute("data-status")).toBe("failed");
    const rows = failed.locator("table.timeline tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator(".error").textContent()).toBe("assertion failed: 3 row(s) of entity_mentions name no event");
    expect(await rows.nth(1).locator("td:nth-child(3)").textContent()).toBe("+1.25 s");
    expect(await rows.nth(1).locator("td:nth-child(4)").textContent()).toBe("0.50 s");
    // The sample's own run (vwatch start) comes first, the failed run of 2015 after it.
    const sections = await page.locator("section.run").evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
    expect(sections).toEqual(["succeeded", "failed"]);
    // The sample's warning-level assertion (fewer than 1,000 training rows) with the row it found, from run_results.json.
    const warned = page.locator("section.run").first().locator("tr", { hasText: "assert_entity_risk_training_data_row_count" });
    expect(await warned.locator(".status").textContent()).toBe("warning");
    expect(await warned.locator(".failing summary").textContent()).toBe("1 failing row(s) shown");
    await page.close();
  });

  it("Indicators charts the FRED, World Bank and Comtrade data and shows the Vertex AI check", async () => {
    const { page, errors, charts } = await open(`${ui}/indicators`, "indicators");
    expect(errors).toEqual([]);
    // One point per month: the month's mean, computed here independently on the loaded table.
    const months = await warehouseRowsWhileServing(
      "select series_id, strftime(date_trunc('month', date), '%Y-%m-%d') as month, avg(value) as mean from analytics.fred_indicators group by all order by series_id, month",
    );
    const series = [...new Set(months.map((m) => String(m.series_id)))];
    expect(series.length).toBeGreaterThan(0);
    expect(charts).toBeGreaterThanOrEqual(series.length + 2);
    for (const [i, id] of series.entries()) {
      const spec = await embedded(page, `chart-fred-${i + 1}`);
      const expected = months.filter((m) => m.series_id === id);
      expect(spec.title.startsWith(id)).toBe(true);
      expect(spec.days).toEqual(expected.map((m) => m.month));
      spec.series[0].values.forEach((v: number, j: number) => expect(v).toBeCloseTo(Number(expected[j].mean), 9));
    }
    expect(await page.locator("#vertex-verdict").textContent()).toBe("venezuelawatch.analytics.entity_risk_training_data: passed with 1 warning(s)");
    expect(await page.locator("#vertex tbody tr").count()).toBe(12);
    await page.close();
  });
});

/** A read of the warehouse the server holds open: through the server's own session. */
async function warehouseRowsWhileServing(sql: string): Promise<Record<string, unknown>[]> {
  return (await session.warehouse()).query(sql);
}
