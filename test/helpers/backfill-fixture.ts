import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { repoRoot } from "./project";

/**
 * A small multi-day GDELT fixture for backfills: two Venezuela events and their mentions per day,
 * 2024-01-01 … 2024-01-12, one mentions file per day. Run with event_window_days=10:
 * - event 100, added 2024-01-01, one mention a day and 5 on 2024-01-08: a spike on 01-08
 *   (n = 7, mean 1, sd 0 → floor 1, z = 4) that only runs with as_of 01-08 … 01-11 see; from
 *   as_of 01-12 the event has left the 10-day window.
 * - event 200, added 2024-01-03, two mentions a day from 01-03 and 8 on 01-12: a spike on 01-12
 *   (n = 9, z = 6) that any run at as_of 01-12 finds.
 */
export const FIXTURE_VARS = "event_window_days=10";

const template = zlib
  .gunzipSync(fs.readFileSync(path.join(repoRoot, "samples", "gdelt", "20150218230000.export.CSV.gz")))
  .toString("utf8")
  .split("\n")[0]
  .split("\t");

function eventLine(id: number, added: string): string {
  const f = [...template];
  f[0] = String(id);
  f[7] = "VEN"; // Actor1CountryCode
  f[17] = "";
  f[53] = "US";
  f[59] = `${added.replace(/-/g, "")}000000`; // DATEADDED
  return f.join("\t");
}

function mentionLines(id: number, day: string, count: number): string[] {
  const stamp = day.replace(/-/g, "") + "120000";
  return Array.from({ length: count }, (_, i) =>
    [id, "20240101000000", stamp, 1, "example.com", `https://example.com/${id}/${day}/${i}`, 1, -1, -1, -1, 1, 50, 1000, -1.5, "", ""].join("\t"),
  );
}

const day = (i: number) => `2024-01-${String(i + 1).padStart(2, "0")}`;
const SERIES: { id: number; added: string; counts: number[] }[] = [
  { id: 100, added: "2024-01-01", counts: [1, 1, 1, 1, 1, 1, 1, 5, 1, 1, 1, 1] },
  { id: 200, added: "2024-01-03", counts: [0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 8] },
];

/** Writes the fixture's files into dir: an events file per day an event was added (GDELT partitions by file), then one mentions file per day. */
export function writeBackfillFixture(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const s of SERIES) {
    const file = path.join(dir, `${s.added.replace(/-/g, "")}000000.export.CSV`);
    fs.writeFileSync(file, eventLine(s.id, s.added) + "\n");
    files.push(file);
  }
  for (let i = 0; i < 12; i++) {
    const file = path.join(dir, `${day(i).replace(/-/g, "")}120000.mentions.CSV`);
    const lines = SERIES.flatMap((s) => mentionLines(s.id, day(i), s.counts[i]));
    fs.writeFileSync(file, lines.join("\n") + "\n");
    files.push(file);
  }
  return files;
}
