import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * The last `maxLines` lines of each log that mention one of `needles` (each cut to 300 characters), under a header
 * per file: what a failing end-to-end test adds to its error, because CI keeps its output and not the logs.
 */
export function logExcerpt(logFiles: readonly string[], needles: readonly string[], maxLines = 15): string {
  const parts: string[] = [];
  for (const file of logFiles) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => needles.some((n) => l.includes(n)));
    parts.push(`--- ${basename(file)}: last ${String(Math.min(maxLines, lines.length))} of ${String(lines.length)} lines mentioning ${needles.join(' | ')}`);
    for (const l of lines.slice(-maxLines)) parts.push(l.length > 300 ? `${l.slice(0, 300)}…` : l);
  }
  return parts.join('\n');
}

/** `err` with `excerpt` appended to its message (the stack stays). */
export function withExcerpt(err: unknown, excerpt: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  e.message = `${e.message}\n${excerpt}`;
  return e;
}
