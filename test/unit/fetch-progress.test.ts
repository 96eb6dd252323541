import { describe, expect, it } from "vitest";
import { startByteProgress } from "../../orchestrator/fetch/progress";

describe("the download progress line", () => {
  it("counts files and bytes against the totals, gives back a failed attempt's bytes, and ends with the time taken", () => {
    const lines: string[] = [];
    const progress = startByteProgress("downloading", 3, 3_000_000, { isTTY: false, write: (t) => lines.push(t) });
    progress.bytes(1_000_000);
    progress.file();
    progress.bytes(700_000);
    progress.bytes(-700_000); // that attempt failed; it starts again
    progress.bytes(1_000_000);
    progress.file();
    // Not a terminal: nothing before 10 s.
    expect(lines).toEqual([]);
    progress.done();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^downloading 2\/3 files, 2\.0 MB\/3\.0 MB, \d+\.\d MB\/s in 0 s\n$/);
  });

  it("on a terminal rewrites one line in place with the rate and ETA", () => {
    const lines: string[] = [];
    const progress = startByteProgress("downloading", 2, 2_000_000, { isTTY: true, write: (t) => lines.push(t) });
    progress.bytes(1_000_000);
    expect(lines[0]).toMatch(/^\rdownloading 0\/2 files, 1\.0 MB\/2\.0 MB, \d+\.\d MB\/s, ETA \d+ s\x1b\[K$/);
  });
});

describe("a note during the download progress", () => {
  it("clears the line on a terminal, prints, and shows the line again", () => {
    const lines: string[] = [];
    const progress = startByteProgress("downloading", 1, 1_000_000, { isTTY: true, write: (t) => lines.push(t) });
    lines.length = 0;
    progress.note(() => lines.push("warning: a retry\n"));
    expect(lines[0]).toBe("\r\x1b[K");
    expect(lines[1]).toBe("warning: a retry\n");
    expect(lines[2]).toMatch(/^\rdownloading 0\/1 files, 0\.0 MB\/1\.0 MB, 0\.0 MB\/s\x1b\[K$/);
  });
});

describe("a file the server does not have", () => {
  it("leaves the byte total, so a finished download shows all of it", () => {
    const lines: string[] = [];
    const progress = startByteProgress("downloading", 2, 3_000_000, { isTTY: false, write: (t) => lines.push(t) });
    progress.bytes(2_000_000);
    progress.file();
    progress.drop(1_000_000);
    progress.file();
    progress.done();
    expect(lines[0]).toMatch(/^downloading 2\/2 files, 2\.0 MB\/2\.0 MB, /);
  });
});
