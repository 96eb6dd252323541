import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";
import * as path from "path";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { addSpikes, homeWithSpikes, runVwatch, spikesOverDays, startVwatch } from "../helpers/sync-child";

/**
 * The sync ledger after crashes: a sync killed with SIGKILL is marked `abandoned` by the next
 * sync, and `vwatch sync-spikes --status` shows the last success, the rows behind, the failed and
 * abandoned syncs since, and a sync running now.
 */
let db: { url: string; drop: () => Promise<void> };
let home: { home: string; remove: () => void };
const dbName = () => new URL(db.url).pathname.slice(1);
const env = () => ({ DATABASE_URL: db.url });
const ledger = () =>
  asAdmin(async (c) => (await c.query("select run_id, status, error, finished_at is not null as finished from vwatch_sync_ledger order by started_at")).rows, dbName());

beforeAll(async () => {
  db = await freshDatabase("vwatch_ledger");
  home = await homeWithSpikes(spikesOverDays(4, 100, "2024-06-01"));
});

afterAll(async () => {
  home?.remove();
  await db?.drop();
});

describe("the sync ledger and sync-spikes --status", () => {
  it("a sync killed mid-transaction is marked abandoned by the next sync, and --status shows it", async () => {
    const killed = startVwatch(home.home, ["sync-spikes", "--batch-size", "100"], env(), { pauseAfterBatch: 2 });
    await killed.waitFor("paused after batch 2");
    killed.child.kill("SIGKILL");
    await killed.exited;
    const [dead] = await ledger();
    expect(dead).toMatchObject({ status: "running", finished: false });

    const next = await runVwatch(home.home, ["sync-spikes", "--json"], env());
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`marked 1 sync abandoned: ${dead.run_id}`);
    const rows = await ledger();
    expect(rows.map((r) => r.status)).toEqual(["abandoned", "succeeded"]);
    expect(rows[0]).toMatchObject({ run_id: dead.run_id, finished: true });
    expect(rows[0].error).toBe("abandoned: its session ended (process killed or connection lost) before it finished; it wrote nothing");

    const status = await runVwatch(home.home, ["sync-spikes", "--status", "--json"], env());
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({
      healthy: true,
      rowsBehind: 0,
      lastSuccess: { runId: rows[1].run_id, inserted: 400, rowsRead: 400 },
      lastSync: { runId: rows[1].run_id, status: "succeeded" },
      running: [],
    });
    expect(s.problems).toEqual([expect.objectContaining({ runId: dead.run_id, status: "abandoned" })]);

    const text = await runVwatch(home.home, ["sync-spikes", "--status"], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^last successful sync: ${rows[1].run_id} at \\S+, 400 rows read, 400 inserted$`, "m"));
    expect(text.stdout).toMatch(/^rows behind: 0$/m);
    expect(text.stdout).toContain(`abandoned  ${dead.run_id}`);
    expect(await ledger()).toHaveLength(2); // --status wrote nothing
  });

  it("--status exits 1 while PostgreSQL lacks spikes, shows a live sync as running, and a sync does not mark a live one abandoned", async () => {
    const w = await openDuckdb(path.join(home.home, "warehouse.duckdb"));
    await addSpikes(w, spikesOverDays(2, 100, "2024-06-10"));
    await w.close();
    const behind = await runVwatch(home.home, ["sync-spikes", "--status", "--json"], env());
    expect(behind.code, behind.stderr).toBe(1);
    expect(JSON.parse(behind.stdout)).toMatchObject({ healthy: false, rowsBehind: 200, daysBehind: 2 });

    // Paused for as long as the checks below take, however slow the machine: no idle timeout ends it.
    const live = startVwatch(home.home, ["sync-spikes", "--batch-size", "100"], { ...env(), VWATCH_PG_IDLE_TIMEOUT: "600" }, { pauseAfterBatch: 1 });
    try {
      await live.waitFor("paused after batch 1");
      const status = await runVwatch(home.home, ["sync-spikes", "--status", "--json"], env());
      expect(status.stdout, status.stderr).not.toBe("");
      const runningId = (await ledger()).at(-1)!.run_id;
      expect(JSON.parse(status.stdout).running).toEqual([expect.objectContaining({ runId: runningId })]);
      const text = await runVwatch(home.home, ["sync-spikes", "--status"], env());
      expect(text.stdout).toContain(`running now: ${runningId}`);
      // Another sync looks for abandoned runs first and leaves the live one alone; then it waits for
      // the live one's table lock and gives up after its lock timeout.
      const blocked = await runVwatch(home.home, ["sync-spikes"], { ...env(), VWATCH_PG_LOCK_TIMEOUT: "1" });
      expect(blocked.code, blocked.stderr + blocked.stdout).toBe(1);
      expect(blocked.stderr).toMatch(/^error: sync-spikes stopped: lock not available at \S+ \(lock table/m);
      expect((await ledger()).slice(-2)).toEqual([
        expect.objectContaining({ run_id: runningId, status: "running" }),
        expect.objectContaining({ status: "failed" }),
      ]);
    } finally {
      live.child.kill("SIGCONT");
      live.child.kill("SIGKILL");
      await live.exited;
    }
    const caughtUp = await runVwatch(home.home, ["sync-spikes"], env());
    expect(caughtUp.code, caughtUp.stderr).toBe(0);
    const healthy = await runVwatch(home.home, ["sync-spikes", "--status"], env());
    expect(healthy.code, healthy.stdout).toBe(0);
  });

  it("--status exits 1 when the latest sync failed, and says why", async () => {
    await asAdmin(
      (c) => c.query("insert into vwatch_sync_ledger (run_id, started_at, finished_at, status, error) values ('sync-failed-test', now(), now(), 'failed', 'lock not available at x')"),
      dbName(),
    );
    const s = await runVwatch(home.home, ["sync-spikes", "--status", "--json"], env());
    expect(s.code).toBe(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ healthy: false, rowsBehind: 0, lastSync: { runId: "sync-failed-test", status: "failed", error: "lock not available at x" } });
  });
});
