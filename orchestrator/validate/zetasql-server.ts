/**
 * The ZetaSQL local_service gRPC server shipped by @fivetrandevelopers/zetasql, one per process,
 * listening on a Unix socket in a fresh private temp folder.
 *
 * A directly spawned server outlives a parent killed with SIGKILL, so the server is started by a
 * small sh wrapper that reads our stdin pipe: when this process dies for any reason the kernel
 * closes the pipe, the wrapper sees EOF and kills the server. The wrapper also exits when the
 * server does (a crash), which is how the client learns it must restart it.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { VwatchError } from "../errors";

/** Validation cannot run here (no server binary for this platform, or it would not start). */
export class ValidationUnavailableError extends VwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("VALIDATE_UNAVAILABLE", message, options);
  }
}

const BINARIES: Record<string, string> = {
  "linux-x64": "remote_server.so",
  "linux-arm64": "remote_server_arm.so",
  "darwin-x64": "remote_server",
  "darwin-arm64": "remote_server_arm",
};

/** The package folder holding the server binaries and protos (lib/zetasql). */
export function zetasqlDir(): string {
  let main: string;
  try {
    main = require.resolve("@fivetrandevelopers/zetasql");
  } catch (e) {
    throw new ValidationUnavailableError("offline validation needs the @fivetrandevelopers/zetasql package; run npm ci", { cause: e });
  }
  return path.join(path.dirname(main), "zetasql");
}

/** The server executable for this platform; a clear error where the package ships none. */
export function serverBinary(platform: string = process.platform, arch: string = process.arch): string {
  const name = BINARIES[`${platform}-${arch}`];
  if (!name) {
    throw new ValidationUnavailableError(
      `offline BigQuery validation is unavailable on ${platform}-${arch}: the ZetaSQL server ships only for linux-x64, linux-arm64, darwin-x64 and darwin-arm64`,
    );
  }
  const file = path.join(zetasqlDir(), name);
  if (!fs.existsSync(file)) throw new ValidationUnavailableError(`the ZetaSQL server binary ${name} is missing from @fivetrandevelopers/zetasql; run npm ci`);
  return file;
}

// $1 is the private folder, $2… the server command. fd 3 keeps our stdin pipe for the watcher
// only; the server gets /dev/null. The watcher kills the server at EOF; the wrapper then removes
// the folder and exits with the server's status. Once the pid is out the wrapper writes nowhere:
// a shell reporting "Killed" on a pipe whose reader is gone would die of SIGPIPE first.
const WRAPPER = `dir="$1"; shift
exec 3<&0 0</dev/null
"$@" 3<&- >/dev/null &
pid=$!
echo "$pid"
( cat <&3 >/dev/null 2>&1; kill -9 "$pid" 2>/dev/null ) &
watcher=$!
exec 3<&- 1>/dev/null 2>&1
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
rm -rf "$dir"
exit "$status"`;

export interface ZetaSqlServer {
  /** The gRPC target: unix:<private temp folder>/server.sock:0 */
  readonly address: string;
  /** The server process (not the wrapper). */
  readonly pid: number;
  readonly wrapperPid: number;
  /** Settles when the server has exited, for whatever reason. */
  readonly exited: Promise<void>;
  isRunning(): boolean;
  /** The server's last stderr output, for error messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a server; resolves once it listens (its socket exists). */
export async function startServer(binary: string = serverBinary()): Promise<ZetaSqlServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-zetasql-"));
  fs.chmodSync(dir, 0o700);
  const socket = path.join(dir, "server.sock");
  const child = spawn("/bin/sh", ["-c", WRAPPER, "zetasql-wrapper", dir, binary, `unix:${socket}`, "0"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
      resolve();
    }),
  );
  child.once("error", () => undefined);
  const pid = await firstLine(child, exited).catch((e) => {
    throw new ValidationUnavailableError(`the ZetaSQL server did not start: ${(e as Error).message}${stderr ? `\n${stderr.trim()}` : ""}`);
  });
  // gRPC backs off for a second when the socket is not there yet: wait for it first.
  const deadline = Date.now() + 10_000;
  // The server joins its two arguments as host:port, so the socket file is "server.sock:0".
  while (running && !fs.existsSync(`${socket}:0`) && Date.now() < deadline) await delay(5, true);
  // Neither the wrapper nor its pipes keep this process alive; at exit the pipe closes and
  // the wrapper kills the server.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
  return {
    address: `unix:${socket}:0`,
    pid,
    wrapperPid: child.pid!,
    exited,
    isRunning: () => running,
    stderr: () => stderr,
    async stop() {
      if (!running) return;
      child.ref();
      child.stdin!.end();
      await Promise.race([exited, delay(2000, true)]);
      if (running) {
        kill(pid);
        kill(child.pid!);
        await exited;
      }
    },
  };
}

function firstLine(child: ChildProcess, exited: Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      child.stdout!.off("data", onData);
      const pid = Number(text.slice(0, nl));
      if (Number.isInteger(pid) && pid > 0) resolve(pid);
      else reject(new Error(`unexpected wrapper output ${JSON.stringify(text.slice(0, 80))}`));
    };
    child.stdout!.on("data", onData);
    void exited.then(() => reject(new Error("the server exited at once")));
  });
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

const delay = (ms: number, ref = false) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!ref) timer.unref();
  });
