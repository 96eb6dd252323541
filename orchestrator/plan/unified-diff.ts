/**
 * A unified diff of two texts, line by line, as `diff -u` writes it (without the file header):
 * `@@ -a,b +c,d @@` hunks with `context` unchanged lines around each change. Pure; the longest
 * common subsequence of lines decides what changed (compiled SQL is a few hundred lines at most).
 */
type Op = { kind: " " | "-" | "+"; line: string };

function lineOps(before: string[], after: string[]): Op[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ kind: " ", line: before[i] });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removals first within a change, as diff -u prints them.
      ops.push({ kind: "-", line: before[i++] });
    } else {
      ops.push({ kind: "+", line: after[j++] });
    }
  }
  return ops;
}

const lines = (text: string): string[] => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/** The hunks of a unified diff ("" when the texts are equal). */
export function unifiedDiff(before: string, after: string, context = 3): string {
  if (before === after) return "";
  const ops = lineOps(lines(before), lines(after));
  const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return "";
  // Group changes whose context overlaps into one hunk.
  const groups: [number, number][] = [];
  for (const k of changed) {
    const last = groups[groups.length - 1];
    if (last && k - last[1] <= 2 * context + 1) last[1] = k;
    else groups.push([k, k]);
  }
  // Line numbers of each op's position in the old and new text (1-based, before the op).
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let p = 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(p);
    if (op.kind !== "+") o++;
    if (op.kind !== "-") p++;
  }
  const out: string[] = [];
  for (const [first, last] of groups) {
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((x) => x.kind !== "+").length;
    const newCount = slice.filter((x) => x.kind !== "-").length;
    // diff -u numbers an empty side by the line before it.
    const oldStart = oldCount ? oldAt[from] : oldAt[from] - 1;
    const newStart = newCount ? newAt[from] : newAt[from] - 1;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const x of slice) out.push(`${x.kind}${x.line}`);
  }
  return out.join("\n");
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
