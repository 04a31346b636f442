const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const UNIX_SECONDS = /^\d{1,12}(\.\d{1,9})?$/;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/**
 * Reads a point in time from a query parameter: an RFC 3339 time with its offset (`2026-11-23T10:00:00Z`) or Unix
 * seconds (`1795428000`). Milliseconds since the epoch, or the reason it cannot be read.
 */
export function parseInstant(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  if (RFC3339.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(ms)) return { ok: true, ms };
  } else if (UNIX_SECONDS.test(text)) {
    return { ok: true, ms: Math.round(Number(text) * 1000) };
  }
  return { ok: false, message: `cannot read ${JSON.stringify(text)} as a time: expected RFC 3339 with an offset, such as "2026-11-23T10:00:00Z", or Unix seconds` };
}

/** Reads a duration such as `90s`, `15m`, `6h` or `7d` (milliseconds), or the reason it cannot be read. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const m = DURATION.exec(text);
  if (m === null || Number(m[1]) === 0) return { ok: false, message: `cannot read ${JSON.stringify(text)} as a duration: expected a positive whole number and a unit s, m, h or d, such as "6h"` };
  return { ok: true, ms: Number(m[1]) * (UNIT_MS[m[2] as string] as number) };
}

/** RFC 3339 in UTC with whole seconds when the time has no milliseconds (`2026-11-23T10:00:00Z`). */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
