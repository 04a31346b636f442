/**
 * Retained sizes of a V8 .heapsnapshot: builds the dominator tree (Cooper, Harvey and Kennedy's iterative
 * algorithm; weak edges ignored) and prints it down from the root, every subtree that retains more than
 * `--min` MiB, each line `retained MiB  <edge from its dominator> -> <type>:<name>`. Asserts nothing.
 *
 *   node --max-old-space-size=4000 bench/heap-retainers.mjs FILE [--min 2] [--depth 14]
 */
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: node bench/heap-retainers.mjs FILE [--min MiB] [--depth N]');
const arg = (name, fallback) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : fallback);
const minBytes = arg('--min', 2) * 1024 * 1024;
const maxDepth = arg('--depth', 14);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const { meta } = snap.snapshot;
const nf = meta.node_fields;
const ef = meta.edge_fields;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const NW = nf.length;
const EW = ef.length;
const nodes = snap.nodes;
const edges = snap.edges;
const strings = snap.strings;
const N = nodes.length / NW;
const iType = nf.indexOf('type');
const iName = nf.indexOf('name');
const iSize = nf.indexOf('self_size');
const iEdges = nf.indexOf('edge_count');
const eType = ef.indexOf('type');
const eName = ef.indexOf('name_or_index');
const eTo = ef.indexOf('to_node');
const WEAK = edgeTypes.indexOf('weak');
const SHORTCUT = edgeTypes.indexOf('shortcut');

const firstEdge = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i += 1) {
  firstEdge[i] = e;
  e += nodes[i * NW + iEdges] * EW;
  firstEdge[i + 1] = e;
}
const strong = (e) => edges[e + eType] !== WEAK && edges[e + eType] !== SHORTCUT;

// Post-order DFS from the root (node 0).
const order = new Int32Array(N).fill(-1);
const post = new Int32Array(N);
let count = 0;
const stack = [0];
const cursor = new Uint32Array(N);
const visited = new Uint8Array(N);
visited[0] = 1;
cursor[0] = firstEdge[0];
while (stack.length > 0) {
  const v = stack[stack.length - 1];
  let pushed = false;
  while (cursor[v] < firstEdge[v + 1]) {
    const e = cursor[v];
    cursor[v] += EW;
    if (!strong(e)) continue;
    const w = edges[e + eTo] / NW;
    if (visited[w] === 1) continue;
    visited[w] = 1;
    cursor[w] = firstEdge[w];
    stack.push(w);
    pushed = true;
    break;
  }
  if (!pushed) {
    stack.pop();
    order[v] = count;
    post[count] = v;
    count += 1;
  }
}
// Predecessors (reachable only).
const predCount = new Uint32Array(N + 1);
for (let v = 0; v < N; v += 1) {
  if (visited[v] === 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EW) if (strong(e)) predCount[edges[e + eTo] / NW + 1] += 1;
}
for (let i = 0; i < N; i += 1) predCount[i + 1] += predCount[i];
const preds = new Int32Array(predCount[N]);
const fill = predCount.slice();
for (let v = 0; v < N; v += 1) {
  if (visited[v] === 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EW) if (strong(e)) preds[fill[edges[e + eTo] / NW]++] = v;
}
const idom = new Int32Array(N).fill(-1);
idom[0] = 0;
const intersect = (a, b) => {
  while (a !== b) {
    while (order[a] < order[b]) a = idom[a];
    while (order[b] < order[a]) b = idom[b];
  }
  return a;
};
for (let changed = true; changed;) {
  changed = false;
  for (let k = count - 1; k >= 0; k -= 1) {
    const v = post[k];
    if (v === 0) continue;
    let d = -1;
    for (let p = predCount[v]; p < predCount[v + 1]; p += 1) {
      const u = preds[p];
      if (idom[u] === -1) continue;
      d = d === -1 ? u : intersect(u, d);
    }
    if (d !== -1 && idom[v] !== d) {
      idom[v] = d;
      changed = true;
    }
  }
}
const retained = new Float64Array(N);
for (let k = 0; k < count; k += 1) {
  const v = post[k];
  retained[v] += nodes[v * NW + iSize];
  if (v !== 0) retained[idom[v]] += retained[v];
}
// The edge name by which each node's dominator (or any parent) reaches it.
const via = new Map();
for (let v = 0; v < N; v += 1) {
  if (visited[v] === 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EW) {
    const w = edges[e + eTo] / NW;
    if (idom[w] !== v || via.has(w)) continue;
    const t = edgeTypes[edges[e + eType]];
    via.set(w, t === 'element' || t === 'hidden' ? `[${String(edges[e + eName])}]` : String(strings[edges[e + eName]]));
  }
}
/** Type and constructor; a plain Object also shows its first property names (a plain Object says little alone). */
const label = (v) => {
  const base = `${nodeTypes[nodes[v * NW + iType]]}:${String(strings[nodes[v * NW + iName]]).slice(0, 50)}`;
  if (base !== 'object:Object') return base;
  const names = [];
  for (let e = firstEdge[v]; e < firstEdge[v + 1] && names.length < 4; e += EW) {
    if (edgeTypes[edges[e + eType]] === 'property') names.push(String(strings[edges[e + eName]]));
  }
  return `${base}{${names.join(',')}}`;
};
const children = new Map();
/** Small children grouped per dominator: label -> { count, retained }. */
const small = new Map();
for (let v = 1; v < N; v += 1) {
  if (visited[v] === 0) continue;
  if (retained[v] < minBytes) {
    const groups = small.get(idom[v]) ?? new Map();
    const key = `${/^\[/.test(via.get(v) ?? '[') ? '[*]' : via.get(v)} -> ${label(v)}`;
    const g = groups.get(key) ?? { count: 0, retained: 0, sample: v };
    g.count += 1;
    g.retained += retained[v];
    groups.set(key, g);
    small.set(idom[v], groups);
    continue;
  }
  const list = children.get(idom[v]) ?? [];
  list.push(v);
  children.set(idom[v], list);
}
const MiB = 1024 * 1024;
/** One sample of a group, in bytes: what it retains, `--explain` levels deep (default 3). */
const explainDepth = arg('--explain', 3);
const allChildren = new Map();
const explain = (v, indent, level) => {
  if (level >= explainDepth) return;
  if (allChildren.size === 0) {
    for (let w = 1; w < N; w += 1) {
      if (visited[w] === 0) continue;
      const list = allChildren.get(idom[w]) ?? [];
      list.push(w);
      allChildren.set(idom[w], list);
    }
  }
  const kids = (allChildren.get(v) ?? []).sort((a, b) => retained[b] - retained[a]).slice(0, 10);
  for (const c of kids) {
    process.stdout.write(`${String(retained[c]).padStart(8)} B ${'  '.repeat(indent + level)}${via.get(c) ?? ''} -> ${label(c)}\n`);
    explain(c, indent, level + 1);
  }
};
const print = (v, depth) => {
  process.stdout.write(`${(retained[v] / MiB).toFixed(2).padStart(8)} ${'  '.repeat(depth)}${via.get(v) ?? ''} -> ${label(v)}\n`);
  if (depth >= maxDepth) return;
  for (const c of (children.get(v) ?? []).sort((a, b) => retained[b] - retained[a])) print(c, depth + 1);
  const groups = [...(small.get(v) ?? new Map())].filter(([, g]) => g.retained >= minBytes / 4).sort((a, b) => b[1].retained - a[1].retained).slice(0, 12);
  for (const [key, g] of groups) {
    process.stdout.write(`${(g.retained / MiB).toFixed(2).padStart(8)} ${'  '.repeat(depth + 1)}${String(g.count)} x ${key}  (${(g.retained / g.count).toFixed(0)} B each)\n`);
    if (g.retained >= minBytes) explain(g.sample, depth + 2, 0);
  }
};
print(0, 0);
