import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome, warehouseRows } from "../helpers/project";

// A full disk during a load, on a real small filesystem: a tmpfs mounted for the test (needs
// root; skipped with the reason printed otherwise). The original error is reported with the
// file, exit 1 (the load failed; the input was fine), and the warehouse holds what it held.

const SAMPLES = path.join(repoRoot, "samples");
const EVENTS_1 = path.join(SAMPLES, "gdelt", "20150218230000.export.CSV.gz");
const EVENTS_2 = path.join(SAMPLES, "gdelt", "20150218231500.export.CSV.gz");
const FRED = path.join(SAMPLES, "economic", "fred", "DCOILBRENTEU.csv");
const COMTRADE = path.join(SAMPLES, "economic", "comtrade", "comtrade_data.csv.gz");

function mount(size: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  return dir;
}

function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir]);
  } catch {
    execFileSync("umount", ["-l", dir]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Why these tests cannot run here, or undefined. */
function cannotMount(): string | undefined {
  if (process.getuid?.() !== 0) return "not root, so no tmpfs can be mounted";
  try {
    unmount(mount("64k"));
    return undefined;
  } catch (e) {
    return `mounting a tmpfs failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

/** Fills the filesystem of dir, leaving about `leave` bytes free. */
function fill(dir: string, leave: number): string {
  const { bavail, bsize } = fs.statfsSync(dir);
  const filler = path.join(dir, "filler");
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
  return filler;
}

const errorLines = (err: string) => {
  expect(err).not.toMatch(/^\s+at /m);
  return err.split("\n").filter((l) => l.startsWith("error: "));
};

const reason = cannotMount();
if (reason) console.warn(`skipping the full-disk load tests: ${reason}`);

describe.skipIf(reason)("a full disk during a load", () => {
  it("load gdelt: reports No space left on device with the file, exit 1, and the warehouse holds what it held", async () => {
    const fsDir = mount("4m");
    try {
      const home = path.join(fsDir, "home");
      expect((await runCli(["--home", home, "load", "gdelt", EVENTS_1])).code).toBe(0);
      const filler = fill(fsDir, 64 * 1024);
      const r = await runCli(["--home", home, "load", "gdelt", EVENTS_2]);
      expect(r.code).toBe(1);
      const errors = errorLines(r.err);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^error: ${EVENTS_2.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*No space left on device`));
      expect(errors[0]).not.toMatch(/cannot rollback|no transaction is active/);

      fs.rmSync(filler);
      expect(await warehouseRows(home, `select count(*) as n from "gdelt-bq.gdeltv2".events_partitioned`)).toEqual([{ n: 2271 }]);
      expect(await warehouseRows(home, `select file_name from vwatch.loaded_files`)).toEqual([{ file_name: "20150218230000.export.CSV" }]);
      // With room again, the same command completes the load.
      expect((await runCli(["--home", home, "load", "gdelt", EVENTS_1, EVENTS_2])).code).toBe(0);
      expect(await warehouseRows(home, `select count(*) as n from "gdelt-bq.gdeltv2".events_partitioned`)).toEqual([{ n: 2271 + 2102 }]);
    } finally {
      unmount(fsDir);
    }
  });

  it("load gdelt: a full temp folder (where archives are decompressed) is reported with the file, exit 1", async () => {
    const tmp = mount("256k");
    const before = process.env.TMPDIR;
    try {
      const home = tempHome();
      process.env.TMPDIR = tmp;
      const r = await runCli(["--home", home, "load", "gdelt", EVENTS_1]);
      process.env.TMPDIR = before;
      expect(r.code).toBe(1);
      const errors = errorLines(r.err);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^error: ${EVENTS_1.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*no space left on device`, "i"));
      expect(errors[0]).not.toMatch(/cannot read gzip/);
      expect(await warehouseRows(home, `select count(*) as n from vwatch.loaded_files`)).toEqual([{ n: 0 }]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      unmount(tmp);
    }
  });

  it("load comtrade: reports No space left on device with the file, exit 1, and the warehouse holds what it held", async () => {
    const fsDir = mount("4m");
    try {
      const home = path.join(fsDir, "home");
      expect((await runCli(["--home", home, "load", "fred", FRED])).code).toBe(0);
      const filler = fill(fsDir, 64 * 1024);
      const r = await runCli(["--home", home, "load", "comtrade", COMTRADE]);
      expect(r.code).toBe(1);
      const errors = errorLines(r.err);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^error: ${COMTRADE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*No space left on device`));
      expect(errors[0]).not.toMatch(/cannot rollback|no transaction is active/);
      fs.rmSync(filler);
      expect(await warehouseRows(home, `select count(*) as n from raw_economics.fred_observations`)).toEqual([{ n: 1565 }]);
      expect(await warehouseRows(home, `select count(*) as n from raw_economics.comtrade_records`)).toEqual([{ n: 0 }]);
    } finally {
      unmount(fsDir);
    }
  });
});
