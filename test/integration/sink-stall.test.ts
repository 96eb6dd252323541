import { Client } from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SinkError } from "../../orchestrator/errors";
import { PgSink } from "../../orchestrator/postgres/connect";
import { asAdmin, freshDatabase, testServer } from "../helpers/pg";
import { homeWithSpikes, runVwatch, spikesOverDays, startVwatch, type VwatchChild } from "../helpers/sync-child";

/**
 * A stalled sync must not hold the application's writes without bound: a stopped sync process is
 * ended by the server (idle in transaction), a frozen server backend by the client (no answer).
 * Either way the sync exits 1 with one line, nothing is written, and the next sync catches up.
 */
const SPIKES = spikesOverDays(3, 100, "2024-06-01");
let db: { url: string; drop: () => Promise<void> };
let home: { home: string; remove: () => void };
let child: VwatchChild | undefined;
const dbName = () => new URL(db.url).pathname.slice(1);
const target = () => `${testServer().host}:${testServer().port}/${dbName()}`;

beforeEach(async () => {
  db = await freshDatabase("vwatch_stall");
  home = await homeWithSpikes(SPIKES);
});

afterEach(async () => {
  if (child && child.child.exitCode === null && child.child.signalCode === null) {
    child.child.kill("SIGKILL");
    await child.exited;
  }
  child = undefined;
  home?.remove();
  await db?.drop();
});

const count = () => asAdmin(async (c) => Number((await c.query("select count(*) from data_pipeline_mentionspike")).rows[0].count), dbName());
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("error:"));

/** The application's INSERT from its own connection, giving up after 20 s of waiting for the lock. */
async function applicationInsert(): Promise<void> {
  const app = new Client({ ...testServer(), database: dbName() });
  await app.connect();
  try {
    await app.query("set lock_timeout = '20s'");
    await app.query(
      `insert into data_pipeline_mentionspike (event_id, spike_date, mention_count, z_score, confidence_level, detected_at)
       values (42, '2023-01-01', 5, 3.0, 'HIGH', now())`,
    );
  } finally {
    await app.end();
  }
}

describe("a stalled sync is bounded", () => {
  it("a sync process stopped inside its transaction is ended by the server after the idle timeout: the application's insert goes through, the sync exits 1 with one line, the next sync writes everything", async () => {
    child = startVwatch(home.home, ["sync-spikes", "--batch-size", "100"], { DATABASE_URL: db.url, VWATCH_PG_IDLE_TIMEOUT: "2" }, { pauseAfterBatch: 1 });
    await child.waitFor("paused after batch 1");
    process.kill(child.child.pid!, "SIGSTOP");
    await applicationInsert();
    process.kill(child.child.pid!, "SIGCONT");
    expect(await child.exited).toBe(1);
    const errors = errorLines(child.stderr());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^error: sync-spikes stopped: PostgreSQL at ${target()} ended the session after it sat idle inside its transaction for 2 s \\(idle_in_transaction_session_timeout, VWATCH_PG_IDLE_TIMEOUT\\); vwatch was stopped or stalled; ` +
          "nothing was written \\(the transaction was rolled back\\); the next sync catches up",
      ),
    );
    expect(child.stderr()).not.toMatch(/\n\s+at /);
    expect(await count()).toBe(1); // the application's row only

    const next = await runVwatch(home.home, ["sync-spikes", "--json"], { DATABASE_URL: db.url });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ inserted: 300 });
    expect(await count()).toBe(301);
  });

  it("a sync whose server backend is frozen gives up after the client timeout, exits 1 with one line, and the next sync writes everything", async () => {
    child = startVwatch(home.home, ["sync-spikes", "--batch-size", "100"], { DATABASE_URL: db.url, VWATCH_PG_CLIENT_TIMEOUT: "3" }, { pauseAfterBatch: 1 });
    await child.waitFor("paused after batch 1");
    const backend = await asAdmin(
      async (c) => (await c.query("select pid from pg_stat_activity where datname = $1 and application_name = 'vwatch sync-spikes'", [dbName()])).rows.map((r) => r.pid as number),
    );
    expect(backend).toHaveLength(1);
    process.kill(backend[0], "SIGSTOP");
    try {
      process.kill(child.child.pid!, "SIGCONT");
      expect(await child.exited).toBe(1);
    } finally {
      process.kill(backend[0], "SIGCONT");
    }
    const errors = errorLines(child.stderr());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^error: sync-spikes stopped: no answer from PostgreSQL at ${target()} for 3 s \\(select exists\\); the server or the network is stalled, vwatch closed the connection \\(VWATCH_PG_CLIENT_TIMEOUT\\); ` +
          "nothing was written \\(the transaction was rolled back\\); the next sync catches up",
      ),
    );
    const next = await runVwatch(home.home, ["sync-spikes", "--json"], { DATABASE_URL: db.url });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ inserted: 300 });
    expect(await count()).toBe(300);
  });

  it("a sync whose server went away while it was paused says so, naming the server, and exits 1", async () => {
    child = startVwatch(home.home, ["sync-spikes", "--batch-size", "100"], { DATABASE_URL: db.url }, { pauseAfterBatch: 1 });
    await child.waitFor("paused after batch 1");
    await asAdmin((c) => c.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'vwatch sync-spikes'", [dbName()]));
    process.kill(child.child.pid!, "SIGCONT");
    expect(await child.exited).toBe(1);
    expect(errorLines(child.stderr())).toEqual([
      `error: sync-spikes stopped: PostgreSQL at ${target()} went away (terminating connection due to administrator command): the server was stopped or restarted, or an administrator ended the session; ` +
        "nothing was written (the transaction was rolled back); the next sync catches up",
    ]);
    expect(await count()).toBe(0);
  });

  it("a transaction begun after the server dropped the connection names the server instead of 'not queryable'", async () => {
    const pg = await PgSink.connect({ connectionString: db.url, application_name: "vwatch stall test" });
    try {
      await asAdmin((c) => c.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'vwatch stall test'", [dbName()]));
      for (let i = 0; i < 50 && !(await asAdmin(async (c) => (await c.query("select count(*)::int as n from pg_stat_activity where application_name = 'vwatch stall test'")).rows[0].n === 0)); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 200));
      const error = await pg.transaction(async () => undefined).catch((e) => e);
      expect(error).toBeInstanceOf(SinkError);
      expect(error.message).toBe(
        `PostgreSQL at ${target()} went away (terminating connection due to administrator command): the server was stopped or restarted, or an administrator ended the session; check that it runs, then run the command again`,
      );
    } finally {
      await pg.close();
    }
  });
});
