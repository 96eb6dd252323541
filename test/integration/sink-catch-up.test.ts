import * as fs from "fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../helpers/cli";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { homeWithSpikes, spikesOverDays } from "../helpers/sync-child";

/**
 * A plain `vwatch sync-spikes` writes every spike of the warehouse that PostgreSQL does not have,
 * however old (a long outage must not lose spikes); `--since` only narrows it.
 */
const SPIKES = spikesOverDays(95, 20, "2024-01-01"); // 2024-01-01 .. 2024-04-04
let db: { url: string; drop: () => Promise<void> };
let home: { home: string; remove: () => void };

beforeAll(async () => {
  db = await freshDatabase("vwatch_catch_up");
  home = await homeWithSpikes(SPIKES);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  home?.remove();
  await db?.drop();
});

const pgKeys = async (): Promise<string[]> =>
  asAdmin(async (c) => {
    const r = await c.query("select event_id::text || ' ' || to_char(spike_date, 'YYYY-MM-DD') as k from data_pipeline_mentionspike order by spike_date, event_id");
    return r.rows.map((row) => row.k as string);
  }, dbName());
const dbName = () => new URL(db.url).pathname.slice(1);
const allKeys = SPIKES.map((s) => `${s.event_id} ${s.spike_date}`).sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)) || Number(a.split(" ")[0]) - Number(b.split(" ")[0]));

async function sync(...args: string[]) {
  vi.stubEnv("DATABASE_URL", db.url);
  const r = await runCli(["--home", home.home, "sync-spikes", ...args]);
  expect(r.code, r.err).toBe(0);
  return r;
}

describe("sync-spikes catches up on every spike PostgreSQL lacks", () => {
  it("a plain sync into an empty database writes the spikes of all 95 days, not only the lookback window", async () => {
    const r = await sync("--json");
    expect(JSON.parse(r.out)).toMatchObject({ since: null, asOf: "2024-04-04", daysCompared: 95, daysRead: 95, read: 1900, inserted: 1900, alreadyPresent: 0 });
    expect(await pgKeys()).toEqual(allKeys);
  });

  it("after rows of some old days are deleted in PostgreSQL, a plain sync reads only those days and writes back exactly those rows", async () => {
    await asAdmin(
      (c) => c.query("delete from data_pipeline_mentionspike where spike_date in ('2024-01-05', '2024-02-10') or (spike_date = '2024-03-01' and event_id = 1007)"),
      dbName(),
    );
    expect((await pgKeys()).length).toBe(1900 - 41);
    const r = await sync("--json");
    expect(JSON.parse(r.out)).toMatchObject({
      daysCompared: 95,
      daysRead: 3,
      ranges: [
        { from: "2024-01-05", to: "2024-01-05" },
        { from: "2024-02-10", to: "2024-02-10" },
        { from: "2024-03-01", to: "2024-03-01" },
      ],
      read: 60,
      inserted: 41,
      alreadyPresent: 19,
    });
    expect(await pgKeys()).toEqual(allKeys);
    // Nothing missing: the next sync reads no day at all.
    expect(JSON.parse((await sync("--json")).out)).toMatchObject({ daysCompared: 95, daysRead: 0, read: 0, inserted: 0 });
  });

  it("a day whose PostgreSQL rows number as many as the warehouse's but are other keys is still caught up", async () => {
    // The application keeps a spike the warehouse no longer has, and lacks one it has.
    await asAdmin(
      (c) =>
        c.query(
          `delete from data_pipeline_mentionspike where spike_date = '2024-01-20' and event_id = 1003;
           insert into data_pipeline_mentionspike (event_id, spike_date, mention_count, z_score, confidence_level, detected_at)
           values (555, '2024-01-20', 9, 3.0, 'HIGH', '2024-01-20 06:00:00+00')`,
        ),
      dbName(),
    );
    const r = JSON.parse((await sync("--json")).out);
    expect(r).toMatchObject({ daysRead: 1, read: 20, inserted: 1, alreadyPresent: 19 });
    expect((await pgKeys()).filter((k) => k.endsWith("2024-01-20"))).toContain("1003 2024-01-20");
    await asAdmin((c) => c.query("delete from data_pipeline_mentionspike where event_id = 555"), dbName());
  });

  it("--since narrows the sync to spike_date >= since; the text output says which days were read", async () => {
    await asAdmin((c) => c.query("delete from data_pipeline_mentionspike where spike_date in ('2024-01-02', '2024-04-01')"), dbName());
    const narrowed = await sync("--since", "2024-03-01");
    expect(narrowed.out).toContain("spike_date >= 2024-03-01: 1 of 35 spike days differed from PostgreSQL (2024-04-01)");
    expect(await pgKeys()).toHaveLength(1900 - 20);
    const all = await sync();
    expect(all.out).toContain("all spike days: 1 of 95 spike days differed from PostgreSQL (2024-01-02)");
    expect(await pgKeys()).toEqual(allKeys);
    expect(fs.existsSync(home.home)).toBe(true);
  });
});
