/**
 * Expected rows against a model's output: order-insensitive, only the columns each expected row
 * lists, numbers within a tolerance. Unmatched rows are paired by most columns in common into
 * "different" rows (shown column by column); the rest are missing or unexpected.
 */
export type Plain = Record<string, unknown>;

export interface Expected {
  line: number;
  values: Plain;
}

export function same(got: unknown, want: unknown, tolerance: number): boolean {
  if (got === null || want === null || got === undefined || want === undefined) return (got ?? null) === (want ?? null);
  if (typeof got === "number" && typeof want === "number") return got === want || Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want));
  return JSON.stringify(got) === JSON.stringify(want);
}

const matches = (got: Plain, want: Plain, tol: number) => Object.keys(want).every((k) => same(got[k], want[k], tol));
const common = (got: Plain, want: Plain, tol: number) => Object.keys(want).filter((k) => same(got[k], want[k], tol)).length;

const show = (v: unknown) => (v === null || v === undefined ? "null" : typeof v === "string" ? v : JSON.stringify(v));
const rowText = (r: Plain, cols: string[]) => `{${cols.map((c) => `${c}: ${show(r[c])}`).join(", ")}}`;

/** The diff's lines; none when the rows match. */
export function compareRows(actual: Plain[], expected: Expected[], tolerance: number, file: string): string[] {
  const left = [...actual];
  const missing: Expected[] = [];
  for (const e of expected) {
    const i = left.findIndex((a) => matches(a, e.values, tolerance));
    if (i >= 0) left.splice(i, 1);
    else missing.push(e);
  }
  const lines: string[] = [];
  const still: Expected[] = [];
  for (const e of missing) {
    let best = -1;
    let score = 0;
    left.forEach((a, i) => {
      const s = common(a, e.values, tolerance);
      if (s > score) [best, score] = [i, s];
    });
    if (best < 0) {
      still.push(e);
      continue;
    }
    const [a] = left.splice(best, 1);
    const cols = Object.keys(e.values);
    lines.push(`different row (${file}:${e.line}): ${rowText(a, cols.filter((k) => same(a[k], e.values[k], tolerance)))}`);
    for (const k of cols) if (!same(a[k], e.values[k], tolerance)) lines.push(`    ${k}: expected ${show(e.values[k])}, got ${show(a[k])}`);
  }
  for (const e of still) lines.push(`missing row (${file}:${e.line}): ${rowText(e.values, Object.keys(e.values))}`);
  const listed = [...new Set(expected.flatMap((e) => Object.keys(e.values)))];
  for (const a of left) lines.push(`unexpected row: ${rowText(a, listed.length ? listed : Object.keys(a))}`);
  return lines;
}
