/** Parses `42-51`, `42,43,47` or a mix (`42-44,50`) into seeds; null when malformed. */
export function parseSeeds(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 10_000) return null;
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out.length > 0 ? out : null;
}
