import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { runVwatch } from "../helpers/sync-child";

/**
 * `vwatch start` (what `npm start` runs) is one session: it loads, seeds, runs, writes back and
 * checks with one warehouse and one PostgreSQL, so without DATABASE_URL the embedded server
 * starts once per command (it used to start four times, on four ports), and is stopped at the end.
 */
const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-start-"));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const starts = (stderr: string) => stderr.split("\n").filter((l) => /^using embedded PostgreSQL at 127\.0\.0\.1:\d+\/vwatch$/.test(l));
const serverRunning = () => fs.existsSync(path.join(home, "postgres", "data", "postmaster.pid"));

describe("vwatch start", () => {
  it("starts the embedded PostgreSQL once, writes the spikes, prints the top spikes and the Vertex AI check, and stops the server", async () => {
    const first = await runVwatch(home, ["start"], {});
    expect(first.code, first.stderr).toBe(0);
    expect(starts(first.stderr)).toHaveLength(1);
    expect(first.stdout).toMatch(/^spikes written to PostgreSQL: \d+ inserted, 0 already present/m);
    expect(first.stdout).toMatch(/^Top spikes \(\d+\):$/m);
    expect(first.stdout).toMatch(/^passed with 1 warning\(s\)$/m);
    expect(serverRunning()).toBe(false);
  });

  it("a repeat starts it once too and finds nothing new to write", async () => {
    const again = await runVwatch(home, ["start"], {});
    expect(again.code, again.stderr).toBe(0);
    expect(starts(again.stderr)).toHaveLength(1);
    expect(again.stdout).toMatch(/^spikes written to PostgreSQL: none new \(it already has the spikes of all \d+ spike day\(s\) in the warehouse\)\.$/m);
    expect(serverRunning()).toBe(false);
  });
});
