import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedPostgres, type EmbeddedServer } from "../../orchestrator/postgres/embedded";
import { runCli } from "../helpers/cli";
import { testServer } from "../helpers/pg";
import { homeWithSpikes, spikesOverDays } from "../helpers/sync-child";

/**
 * A PostgreSQL connection that is misconfigured exits 2 with one line naming what to fix (never
 * the password); a server that refuses or drops the connection is a fault, exit 1.
 */
let embeddedHome: string;
let server: EmbeddedServer;
let home: { home: string; remove: () => void };
const SECRET = "Hunter2-secret";

beforeAll(async () => {
  embeddedHome = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-config-errors-"));
  server = await startEmbeddedPostgres(embeddedHome); // password (SCRAM) authentication, unlike the test server
  home = await homeWithSpikes(spikesOverDays(1, 3, "2024-06-01"));
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(embeddedHome, { recursive: true, force: true });
  home?.remove();
});

afterEach(() => vi.unstubAllEnvs());

/** `vwatch --home H …args` with DATABASE_URL set to url (and no PG* variables). */
async function withUrl(url: string, args: string[] = ["migrate"]) {
  for (const k of Object.keys(process.env)) if (k.startsWith("PG")) vi.stubEnv(k, "");
  vi.stubEnv("DATABASE_URL", url);
  const r = await runCli(["--home", home.home, ...args]);
  expect(r.out + r.err).not.toContain(SECRET);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  return { ...r, lines: r.err.split("\n").filter(Boolean) };
}

describe("PostgreSQL connection errors", () => {
  it("a database that does not exist: exit 2, names it and says createdb", async () => {
    const s = testServer();
    const r = await withUrl(`postgres://${s.user}:${SECRET}@${s.host}:${s.port}/vwatch_no_such_db`);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      `error: database "vwatch_no_such_db" does not exist on PostgreSQL at ${s.host}:${s.port}: create it (createdb -h ${s.host} -p ${s.port} vwatch_no_such_db) or fix DATABASE_URL`,
    ]);
  });

  it("a malformed DATABASE_URL: exit 2, one line with the URL's password masked, before anything runs", async () => {
    const r = await withUrl(`postgres://u:${SECRET}@h:notaport/db`, ["compile"]);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`error: DATABASE_URL is not a valid PostgreSQL URL (postgres://u:***@h:notaport/db): the port "notaport" is not a number`]);
  });

  it("a DATABASE_URL of another database system: exit 2", async () => {
    const r = await withUrl(`mysql://root:${SECRET}@localhost:3306/app`);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`error: DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:port/database), got a mysql:// URL (mysql://root:***@localhost:3306/app)`]);
  });

  it("a wrong password: exit 2, says authentication failed and where the password goes", async () => {
    const { host, port, user, database } = server.connection;
    const r = await withUrl(`postgres://${user}:${SECRET}@${host}:${port}/${database}`);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      `error: authentication failed for user "${user}" at PostgreSQL ${host}:${port}/${database}: check the user and password in DATABASE_URL (SQLSTATE 28P01)`,
    ]);
  });

  it("a server that asks for a password when none was given: exit 2, says where to put one", async () => {
    const { host, port, user, database } = server.connection;
    const r = await withUrl(`postgres://${user}@${host}:${port}/${database}`);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      `error: PostgreSQL at ${host}:${port}/${database} asks for a password for user "${user}" and none was given: put it in DATABASE_URL (postgres://${user}:PASSWORD@${host}:${port}/${database}) or PGPASSWORD`,
    ]);
  });

  it("an unknown host: exit 2, names the host", async () => {
    const r = await withUrl(`postgres://u:${SECRET}@no-such-host.invalid:5432/app`);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`error: unknown host "no-such-host.invalid" in DATABASE_URL (ENOTFOUND): fix the host name`]);
  });

  it("a server that refuses connections is a fault, exit 1, with a clear line", async () => {
    const r = await withUrl(`postgres://u:${SECRET}@127.0.0.1:1/app`);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([`error: cannot reach PostgreSQL at 127.0.0.1:1/app (ECONNREFUSED): is the server running and listening there?`]);
  });

  it("--batch-size that is not a whole number is reported as typed, exit 2", async () => {
    const s = testServer();
    const r = await withUrl(`postgres://${s.user}@${s.host}:${s.port}/postgres`, ["sync-spikes", "--batch-size", "1; drop table x"]);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`error: --batch-size must be a whole number > 0, got "1; drop table x"`]);
  });
});
