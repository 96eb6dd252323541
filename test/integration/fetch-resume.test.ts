import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { startMirror, withMirrorEnv, type Mirror } from "../helpers/download-mirror";
import { repoRoot, tempHome } from "../helpers/project";

// A `vwatch fetch gdelt` process killed in the middle of a download: the files it had finished
// stay, verified, and a second fetch does not download them again; the one it was writing was
// only ever a `.part` file, never taken for a finished download.

let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

const RANGE = ["--from", "20150218230000", "--to", "20150218234500"];

describe("a killed vwatch fetch gdelt", () => {
  it("resumes without downloading its verified files again", async () => {
    mirror = await startMirror();
    const m = mirror;
    const home = tempHome();
    const dir = path.join(home, "downloads", "gdelt");
    const third = m.files[2];
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "vwatch.js"), "--home", home, "fetch", "gdelt", ...RANGE, "--concurrency", "1", "--no-load"], {
      env: { ...process.env, ...m.env },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // The third file: half of it sent, then the process is killed mid-body.
    m.onRequest = (req, res) => {
      if (!req.url?.endsWith(third.name)) return false;
      res.writeHead(200, { "Content-Length": String(third.size) });
      res.write(third.bytes.subarray(0, third.size >> 1), () => setTimeout(() => child.kill("SIGKILL"), 200));
      return true;
    };
    expect(await exited).toBe("SIGKILL");
    expect(fs.readdirSync(dir).filter((n) => n.includes(".CSV.")).sort()).toEqual([m.files[0].name, m.files[1].name, `${third.name}.part`]);
    m.onRequest = undefined;

    const before = m.requests.length;
    const r = await withMirrorEnv(m, () => runCli(["--home", home, "fetch", "gdelt", ...RANGE]));
    expect(r.code, r.err).toBe(0);
    expect(m.requests.slice(before).filter((u) => u.endsWith(".zip"))).toEqual(m.files.slice(2).map((f) => `/gdeltv2/${f.name}`));
    expect(r.err).toContain("6 downloaded (");
    expect(r.err).toContain(`2 already present, 0 missing on the server, 0 failed; loaded ${8709 + 37208} rows from 8 file(s), 0 already loaded`); // every event and mention of samples/SOURCES.md
    expect(fs.readdirSync(dir).filter((n) => n.includes(".CSV.")).sort()).toEqual(m.files.map((f) => f.name));
  });
});
