const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * The deepest nesting of objects and arrays in the JSON text `bytes[start, end)`, or -1 as soon as it exceeds
 * `max` (so a 10,000-deep body costs `max` steps of depth, not a stack overflow later in a validator or an
 * error renderer). Brackets inside strings do not count. The text need not be valid JSON: JSON.parse judges
 * that afterwards.
 */
export function jsonDepth(bytes: Uint8Array, start: number, end: number, max: number): number {
  let depth = 0;
  let deepest = 0;
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    if (b === QUOTE) {
      i += 1;
      while (i < end) {
        const c = bytes[i] as number;
        if (c === BACKSLASH) i += 2;
        else if (c === QUOTE) break;
        else i += 1;
      }
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth += 1;
      if (depth > max) return -1;
      if (depth > deepest) deepest = depth;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth -= 1;
    }
    i += 1;
  }
  return deepest;
}
