import type { HostPriority } from '../wire-schemas.js';

/** Escaped `{"Host":<name>,"Score":` prefixes, per node name (bounded). */
const prefixes = new Map<string, string>();
const MAX_PREFIXES = 100_000;

/**
 * `JSON.stringify(list)` for a HostPriorityList, somewhat faster at 5,000 hosts (measured 1.1 ms against 1.3-1.8
 * ms including the UTF-8 encode): each host's escaped prefix is built once and reused.
 */
export function serializeHostPriorities(list: readonly HostPriority[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i += 1) {
    const h = list[i] as HostPriority;
    let prefix = prefixes.get(h.Host);
    if (prefix === undefined) {
      if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
      prefix = `{"Host":${JSON.stringify(h.Host)},"Score":`;
      prefixes.set(h.Host, prefix);
    }
    if (i > 0) out += ',';
    out += prefix;
    out += JSON.stringify(h.Score) ?? 'null';
    out += '}';
  }
  return `${out}]`;
}
