import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { describe, expect, it } from "vitest";
import { repoRoot, tempHome } from "../helpers/project";

/** A long answer read through a pipe, as `vwatch … --json | jq` reads it, arrives whole. */
describe("the CLI's output on a pipe", () => {
  it("`vwatch lineage --format json` (about 100 KB, more than a pipe's 64 KiB buffer) is complete JSON", async () => {
    // Through a shell pipeline, as a user runs it: the reader is another process on a FIFO.
    const command = `"${process.execPath}" "${path.join(repoRoot, "bin", "vwatch.js")}" --home "${tempHome()}" lineage --format json | cat`;
    const { stdout } = await promisify(execFile)("sh", ["-c", command], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    expect(stdout.length).toBeGreaterThan(65_536);
    const graph = JSON.parse(stdout);
    expect(graph.nodes.some((n: { name: string }) => n.name === "venezuelawatch.analytics.mention_spikes")).toBe(true);
  }, 60_000);
});
