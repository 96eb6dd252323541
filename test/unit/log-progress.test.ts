import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startProgress } from "../../orchestrator/log";

/** A stand-in for process.stderr that records what was written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (s: string) => (written.push(s), true) };
}

describe("progress line", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("on a terminal, rewrites one line in place with files done/total, rows and an ETA, then ends it", () => {
    const s = stream(true);
    const p = startProgress({ label: "loading", total: 4, unit: "files", stream: s });
    vi.advanceTimersByTime(10_000);
    p.tick(1000);
    vi.advanceTimersByTime(10_000);
    p.tick(2500);
    p.done();
    expect(s.written).toEqual([
      "\rloading 1/4 files, 1,000 rows, ETA 30 s\x1b[K",
      "\rloading 2/4 files, 3,500 rows, ETA 20 s\x1b[K",
      "\rloading 2/4 files, 3,500 rows in 20 s\x1b[K\n",
    ]);
  });

  it("on a terminal, redraws at most every 100 ms", () => {
    const s = stream(true);
    const p = startProgress({ label: "loading", total: 1000, unit: "files", stream: s });
    for (let i = 0; i < 1000; i++) p.tick(1);
    expect(s.written).toHaveLength(1);
  });

  it("elsewhere (a log file, a pipe), prints an occasional line: at most one every 10 s, and the last", () => {
    const s = stream(false);
    const p = startProgress({ label: "loading", total: 835, unit: "files", stream: s });
    for (let i = 0; i < 835; i++) {
      vi.advanceTimersByTime(100); // 83.5 s in all
      p.tick(10);
    }
    p.done();
    expect(s.written.length).toBeLessThanOrEqual(10);
    expect(s.written[0]).toBe("loading 100/835 files, 1,000 rows, ETA 1 min 14 s\n");
    expect(s.written.at(-1)).toBe("loading 835/835 files, 8,350 rows in 1 min 24 s\n");
  });
});
