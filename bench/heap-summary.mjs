/**
 * Summarises a V8 .heapsnapshot (from bench/memory-at-scale.ts --snapshot, or the throughput bench's --profile):
 * self size and count per constructor (objects), per node type (strings, arrays, code), and the most duplicated
 * strings. Asserts nothing.
 *
 *   node bench/heap-summary.mjs FILE [--top 40]
 */
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: node bench/heap-summary.mjs FILE [--top N]');
const top = rest.includes('--top') ? Number(rest[rest.indexOf('--top') + 1]) : 40;
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const fields = meta.node_fields;
const types = meta.node_types[0];
const width = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const nodes = snap.nodes;
const strings = snap.strings;

const byKey = new Map();
const dupStrings = new Map();
let total = 0;
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + iType]];
  const size = nodes[i + iSize];
  total += size;
  const name = strings[nodes[i + iName]];
  const key = type === 'object' || type === 'closure' || type === 'native' ? `${type}:${name}` : type === 'string' || type === 'concatenated string' || type === 'sliced string' ? `(${type})` : `(${type}) ${type === 'array' || type === 'hidden' || type === 'code' ? name.slice(0, 60) : ''}`;
  const e = byKey.get(key) ?? { count: 0, size: 0 };
  e.count += 1;
  e.size += size;
  byKey.set(key, e);
  if (type === 'string') {
    const d = dupStrings.get(name) ?? { count: 0, size: 0 };
    d.count += 1;
    d.size += size;
    dupStrings.set(name, d);
  }
}
const MiB = 1024 * 1024;
const fmt = (n) => (n / MiB).toFixed(2).padStart(8);
process.stdout.write(`total self size ${fmt(total)} MiB in ${String(nodes.length / width)} heap nodes\n\nby constructor / type (self size):\n`);
for (const [key, e] of [...byKey].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
  process.stdout.write(`${fmt(e.size)} MiB ${String(e.count).padStart(9)}  ${key.slice(0, 100)}\n`);
}
process.stdout.write('\nmost duplicated strings (copies beyond the first):\n');
const dups = [...dupStrings].filter(([, d]) => d.count > 1).map(([s, d]) => [s, d, (d.size * (d.count - 1)) / d.count]);
for (const [s, d, waste] of dups.sort((a, b) => b[2] - a[2]).slice(0, 20)) {
  process.stdout.write(`${fmt(waste)} MiB ${String(d.count).padStart(9)}  ${JSON.stringify(s.slice(0, 60))}\n`);
}
