/**
 * A line diff for `farjoin metadata diff`: the longest common subsequence of two line
 * lists, printed as unified-diff lines (`-` only in the first, `+` only in the second,
 * ` ` in both) with three lines of context around each change and `…` for what is cut.
 */
export function lineDiff(a: readonly string[], b: readonly string[], context = 3): string[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const all: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      all.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      all.push(`+${b[j]}`);
      j++;
    } else {
      all.push(`-${a[i]}`);
      i++;
    }
  }
  const changed = all.map((l) => !l.startsWith(' '));
  const keep = all.map((_, k) => changed.slice(Math.max(0, k - context), k + context + 1).some(Boolean));
  const out: string[] = [];
  all.forEach((l, k) => {
    if (keep[k]) out.push(l);
    else if (keep[k - 1] || k === 0) out.push('…');
  });
  return out;
}
