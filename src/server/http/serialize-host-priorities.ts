import type { HostPriority } from '../wire-schemas.js';

/** Escaped `{"Host":<name>,"Score":` prefixes, per node name (bounded). */
const prefixes = new Map<string, string>();
const MAX_PREFIXES = 100_000;

/**
 * `JSON.stringify(list)` for a HostPriorityList, several times faster at 5,000 hosts: each host's escaped
 * prefix is computed once and scores are integers.
 */
export function serializeHostPriorities(list: readonly HostPriority[]): string {
  const parts = new Array<string>(list.length);
  for (let i = 0; i < list.length; i += 1) {
    const h = list[i] as HostPriority;
    let prefix = prefixes.get(h.Host);
    if (prefix === undefined) {
      if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
      prefix = `{"Host":${JSON.stringify(h.Host)},"Score":`;
      prefixes.set(h.Host, prefix);
    }
    parts[i] = `${prefix}${Number.isInteger(h.Score) ? h.Score : JSON.stringify(h.Score)}}`;
  }
  return `[${parts.join(',')}]`;
}
