import * as fs from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../orchestrator/config";
import { insertRun } from "../../orchestrator/ledger/runs";
import { productHooks } from "../../orchestrator/product";
import { writeResults } from "../../orchestrator/run/results";
import { Session } from "../../orchestrator/run/session";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import { lastStatus } from "../../orchestrator/web/last-status";
import { startFakeBigQuery, type FakeBigQuery } from "../fakes/bigquery-server";
import { runCli } from "../helpers/cli";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { startVwatch } from "../helpers/sync-child";
import { repoRoot, tempHome } from "../helpers/project";

/**
 * The web view beside the API, without a browser: its pages on BigQuery (the local fake: the
 * Spikes page's filters go out as bound parameters), behind the server's authentication, and the
 * last-status helper the lineage diagram colours its nodes with.
 */
let db: { url: string; drop: () => Promise<void> };
let fake: FakeBigQuery;
let home: string;
let session: Session;
let server: RunningServer;
const env = { ...process.env };
const SPIKE_COLUMNS = [
  ["event_id", "INT64"],
  ["spike_date", "STRING"],
  ["mentions", "INT64"],
  ["baseline", "FLOAT64"],
  ["z", "FLOAT64"],
  ["confidence", "STRING"],
  ["place", "STRING"],
  ["source_url", "STRING"],
].map(([name, type]) => ({ name, type }));

beforeAll(async () => {
  db = await freshDatabase("vwatch_webpages");
  fake = await startFakeBigQuery({ projectId: "venezuelawatch", location: "US" });
  fake.tables.register({ target: { database: "venezuelawatch", schema: "analytics", name: "mention_spikes" }, schema: [{ name: "event_id", type: "INT64" }] });
  fake.tables.register({ target: { database: "venezuelawatch", schema: "intermediate", name: "int_focus_events" }, schema: [{ name: "event_id", type: "INT64" }] });
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  process.env.GOOGLE_CLOUD_PROJECT = "venezuelawatch";
  home = tempHome();
  session = new Session(loadConfig({ home, projectDir: repoRoot, warehouse: "bigquery" }, { ...process.env, DATABASE_URL: db.url }), productHooks);
  server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26 });
});

afterAll(async () => {
  await server?.shutdown();
  await session?.close();
  process.env = env;
  await fake?.close();
  await db?.drop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe("the web view on vwatch serve", () => {
  it("on BigQuery, the Spikes page sends queries/web-spikes.sql with its filters as parameters and shows the rows", async () => {
    fake.setQueryResult("`venezuelawatch.analytics.mention_spikes`", {
      schema: SPIKE_COLUMNS,
      rows: [[600, "2024-01-08", 9, 1.5, 7.5, "HIGH", "Caracas, Venezuela", "https://example.org/a<b>"]],
    });
    const r = await fetch(`${server.url}/ui/spikes?from=2024-01-01&confidence=HIGH`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('<a href="/ui/spikes/chart?event=600&amp;day=2024-01-08">2024-01-08</a>');
    expect(html).toContain("<td>Caracas, Venezuela</td>");
    const sent = fake.queries().at(-1)!;
    expect(sent.sql).toContain("from `venezuelawatch.analytics.mention_spikes`");
    expect(sent.sql).toContain("and spikes.spike_date >= cast(@from_day as date)\n    and spikes.confidence_level = @confidence\n");
    expect(sent.sql).not.toContain("@to_day");
    const params = Object.fromEntries(sent.queryParameters!.map((p: any) => [p.name, [p.parameterType.type, p.parameterValue.value]]));
    expect(params).toEqual({ row_limit: ["INT64", 200], from_day: ["STRING", "2024-01-01"], confidence: ["STRING", "HIGH"] });
  });

  it("a bad filter is a 400 page naming the field, and nothing is sent", async () => {
    const before = fake.queries().length;
    const r = await fetch(`${server.url}/ui/spikes?confidence=${encodeURIComponent("HIGH' or 1=1 --")}`);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain(`<p class="error" id="page-error">confidence must be one of HIGH, MEDIUM, LOW, got &quot;HIGH&#39; or 1=1 --&quot;</p>`);
    expect(fake.queries().length).toBe(before);
  });

  it("serves uPlot from its npm package and nothing outside the asset list", async () => {
    const js = await fetch(`${server.url}/ui/assets/uPlot.iife.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await js.text()).length).toBe(fs.readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8").length);
    expect((await fetch(`${server.url}/ui/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it("each action's last status: from the newest ledger run that ran it, else run_results.json's", async () => {
    const sql = { execute: (text: string, params?: unknown[]) => asAdmin((c) => c.query(text, params), new URL(db.url).pathname.slice(1)) as any };
    writeResults(home, {
      runId: "r-file", startedAt: "2024-01-01T00:00:00Z", finishedAt: "2024-01-01T00:00:01Z", warehouse: "duckdb", project: {}, options: {}, summary: {},
      actions: [{ name: "p.d.a", kind: "table", status: "failed", seconds: 1 }],
    });
    expect([...(await lastStatus(sql, home))]).toEqual([["p.d.a", "failed"]]);
    const run = { trigger: "cli", ranOn: "duckdb", selection: {}, vars: {}, fullRefresh: false, status: "succeeded", endedAt: undefined } as const;
    await insertRun(sql, { ...run, id: "r-old", correlationId: "r-old", startedAt: "2024-01-02T00:00:00Z", actions: [{ name: "p.d.a", status: "failed" }] });
    await insertRun(sql, { ...run, id: "r-new", correlationId: "r-new", startedAt: "2024-01-03T00:00:00Z", actions: [{ name: "p.d.a", status: "success" }, { name: "p.d.b", status: "skipped" }] });
    expect([...(await lastStatus(sql, home))]).toEqual([["p.d.a", "success"], ["p.d.b", "skipped"]]);
    // A newer run of a selection leaves the other actions' statuses standing.
    await insertRun(sql, { ...run, id: "r-newest", correlationId: "r-newest", startedAt: "2024-01-04T00:00:00Z", actions: [{ name: "p.d.b", status: "success" }] });
    writeResults(home, {
      runId: "r-file", startedAt: "2024-01-01T00:00:00Z", finishedAt: "2024-01-01T00:00:01Z", warehouse: "duckdb", project: {}, options: {}, summary: {},
      actions: [{ name: "p.d.a", kind: "table", status: "failed", seconds: 1 }, { name: "p.d.c", kind: "view", status: "success", seconds: 1 }],
    });
    expect(new Map(await lastStatus(sql, home))).toEqual(new Map([["p.d.b", "success"], ["p.d.a", "success"], ["p.d.c", "success"]]));
  });
});

describe("the web view behind authentication", () => {
  it("pages need a token like every route but /health", async () => {
    const s = new Session(loadConfig({ home: tempHome(), projectDir: repoRoot, warehouse: "bigquery" }, { ...process.env, DATABASE_URL: db.url }), productHooks);
    const guarded = await startServer(s, { port: 0, host: "127.0.0.1", auth: { audience: "https://vwatch.example", allowed: ["scheduler@example.iam.gserviceaccount.com"], certsUrl: "http://127.0.0.1:9/certs" }, staleAfterHours: 26 });
    try {
      expect((await fetch(`${guarded.url}/health`)).status).toBe(200);
      for (const page of ["/ui/spikes", "/ui/runs", "/ui/indicators", "/ui/assets/web.css"]) {
        const r = await fetch(`${guarded.url}${page}`);
        expect(r.status, page).toBe(401);
        expect(((await r.json()) as { error: { status: string } }).error.status).toBe("UNAUTHENTICATED");
      }
    } finally {
      await guarded.shutdown();
      await s.close();
    }
  });
});

describe("vwatch ui", () => {
  it("listens on 127.0.0.1 only, prints the Spikes page's URL, serves it, and stops on Ctrl-C with exit 0", async () => {
    const uiHome = tempHome();
    const ui = startVwatch(uiHome, ["--project-dir", repoRoot, "ui", "--port", "0", "--warehouse", "bigquery"], {
      DATABASE_URL: db.url,
      BIGQUERY_EMULATOR_HOST: fake.url,
      GOOGLE_CLOUD_PROJECT: "venezuelawatch",
    });
    try {
      await ui.waitFor("serving on");
      // The URL follows on stdout once the server listens.
      for (let i = 0; i < 100 && !ui.stdout().includes("\n"); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /^vwatch ui: open (http:\/\/127\.0\.0\.1:\d+\/ui\/spikes) \(Ctrl-C to stop\)$/m.exec(ui.stdout())?.[1];
      expect(url, ui.stdout()).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<h1>Spikes</h1>");
      ui.child.kill("SIGINT");
      expect(await ui.exited).toBe(0);
    } finally {
      ui.child.kill();
      fs.rmSync(uiHome, { recursive: true, force: true });
    }
  });

  it("on a home where nothing ran, says what to run and creates nothing (exit 2); a bad port exits 2", async () => {
    const empty = `${tempHome()}/never`;
    const r = await runCli(["--home", empty, "--project-dir", repoRoot, "ui"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: nothing built yet in ${empty}; run \`vwatch run\` first\n`);
    expect(fs.existsSync(empty)).toBe(false);
    const port = await runCli(["--home", empty, "--project-dir", repoRoot, "ui", "--port", "80000"]);
    expect(port.code).toBe(2);
    expect(port.err).toBe('error: --port must be a port number (0-65535), got "80000"\n');
  });
});
