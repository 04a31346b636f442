import type { NodeInventory } from '../model/node-inventory.js';
import { linkPairScore, linkQuality } from './link-score.js';

/** GPUs beyond this position are ignored: GPU sets are 32-bit masks (no real node comes close). */
export const MAX_GPUS_PER_NODE = 30;

/**
 * Facts derived from a `NodeInventory` alone (never its usage): link masks and pair scores, NUMA groups and
 * sharing-mode masks. Computed once when a node's first NodeState is built and carried by every later state of
 * that node (reserve and unreserve pass it on), so no module needs to remember it.
 */
export interface InventoryInfo {
  /** Number of GPUs modelled (at most MAX_GPUS_PER_NODE). */
  readonly n: number;
  /** nvAdj[i]: mask of GPUs NV-linked to GPU i. */
  readonly nvAdj: Int32Array;
  /** pair[i*n+j]: go-gpuallocator pair score (see linkPairScore). */
  readonly pair: Float64Array;
  /** quality[i*n+j]: 0..100 link quality (see linkQuality). */
  readonly quality: Float64Array;
  /** Masks of GPUs per NUMA node; GPUs with unknown NUMA form one group. */
  readonly numaGroups: readonly number[];
  readonly allMask: number;
  readonly exclusiveMask: number;
  readonly fractionalMask: number;
  readonly timeSlicedMask: number;
  readonly migMask: number;
  /** GPUs that can take a whole-GPU request (every mode but MIG). */
  readonly wholeableMask: number;
  /** GPUs carrying at least one taint (NoSchedule/NoExecute or PreferNoSchedule). */
  readonly taintedMask: number;
  /** Distinct products, in GPU order of first appearance. */
  readonly products: readonly string[];
  /** productMask[p]: GPUs whose product is products[p]. */
  readonly productMasks: readonly number[];
  /** Largest memory of a fractional GPU (MiB) and largest replica count of a time-sliced GPU. */
  readonly maxFractionalMemoryMiB: number;
  /** Largest NV-connected clique among whole-able GPUs when every GPU is free. */
  readonly maxNvCliqueWholeable: number;
  /** Signature of the link matrix: nodes with equal signatures share set-search memos. */
  readonly linkKey: string;
  /**
   * A 53-bit hash of everything about the inventory that placement depends on (GPUs without uuids, links, host
   * capacity, capacity type) but not its name, price or location: equal structures place identically. A pure
   * function of the inventory (no interning table), so node signatures do not depend on call history.
   */
  readonly structureHash: number;
}

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The placement-relevant structure of an inventory's GPUs, as text (no uuids, name, price or location). */
function gpuStructureText(inv: NodeInventory): string {
  return inv.gpus.map((g) => {
    const sh = g.sharing;
    const mode = sh.mode === 'time-sliced' ? `ts${sh.replicas}` : sh.mode === 'mig'
      ? `mig:${sh.layout === 'dynamic' ? 'dyn' : sh.layout.map((m) => `${m.profile}@${m.start}`).join('+')}` : sh.mode;
    const taints = g.taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join('&');
    return `${g.index}/${g.product}/${g.memoryMiB}/${g.computeMilli}/${mode}/${g.numaNode ?? '?'}/${taints}`;
  }).join(';');
}

/** Hashes the placement-relevant structure of an inventory. */
function structureHashOf(inv: NodeInventory, linkKey: string): number {
  return hash53(`${gpuStructureText(inv)}#${linkKey}#${inv.cpuMilli}#${inv.memoryMiB}#${inv.capacityType}`);
}

/**
 * Text of everything `inventoryInfo` reads (the GPUs' structure, the whole link matrix of the modelled GPUs, host
 * capacity and capacity type): inventories with equal keys have deep-equal infos, so one InventoryInfo can serve
 * them all (nodes of one board model differ only in name, uuids, price and location).
 */
export function inventoryInfoKey(inv: NodeInventory): string {
  const n = Math.min(inv.gpus.length, MAX_GPUS_PER_NODE);
  const links: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const row = inv.links[i];
    for (let j = 0; j < n; j += 1) {
      const link = i === j ? undefined : row?.[j];
      links.push(link === undefined ? '?' : `${link.level}${link.bonds}`);
    }
  }
  return `${n}#${links.join(',')}#${gpuStructureText(inv)}#${inv.cpuMilli}#${inv.memoryMiB}#${inv.capacityType}`;
}

/** Computes the InventoryInfo of `inv` (O(GPUs²); not memoised: callers keep it on the NodeState). */
export function inventoryInfo(inv: NodeInventory): InventoryInfo {
  const n = Math.min(inv.gpus.length, MAX_GPUS_PER_NODE);
  const nvAdj = new Int32Array(n);
  const pair = new Float64Array(n * n);
  const quality = new Float64Array(n * n);
  const keyParts: string[] = [String(n)];
  for (let i = 0; i < n; i += 1) {
    const row = inv.links[i];
    for (let j = 0; j < n; j += 1) {
      if (i === j) continue;
      const link = row?.[j];
      pair[i * n + j] = linkPairScore(link);
      quality[i * n + j] = linkQuality(link);
      if (link?.level === 'NV') nvAdj[i] = (nvAdj[i] ?? 0) | (1 << j);
      if (j > i) keyParts.push(link === undefined ? '?' : `${link.level}${link.bonds}`);
    }
  }
  // Links are symmetric by contract; keep adjacency symmetric even if a matrix is not.
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) {
      if (((nvAdj[i] ?? 0) >> j) & 1) nvAdj[j] = (nvAdj[j] ?? 0) | (1 << i);
    }
  }
  let exclusiveMask = 0; let fractionalMask = 0; let timeSlicedMask = 0; let migMask = 0; let taintedMask = 0;
  let maxFractionalMemoryMiB = 0;
  const numa = new Map<string, number>();
  const products: string[] = [];
  const productMasks: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const g = inv.gpus[i];
    if (g === undefined) continue;
    const bit = 1 << i;
    switch (g.sharing.mode) {
      case 'exclusive': exclusiveMask |= bit; break;
      case 'fractional':
        fractionalMask |= bit;
        maxFractionalMemoryMiB = Math.max(maxFractionalMemoryMiB, g.memoryMiB);
        break;
      case 'time-sliced': timeSlicedMask |= bit; break;
      case 'mig': migMask |= bit; break;
    }
    if (g.taints.length > 0) taintedMask |= bit;
    const nk = g.numaNode === null ? '?' : String(g.numaNode);
    numa.set(nk, (numa.get(nk) ?? 0) | bit);
    let p = products.indexOf(g.product);
    if (p < 0) { p = products.length; products.push(g.product); productMasks.push(0); }
    productMasks[p] = (productMasks[p] ?? 0) | bit;
  }
  const allMask = n === 0 ? 0 : (n >= 31 ? -1 : (1 << n) - 1);
  const wholeableMask = allMask & ~migMask;
  return {
    n, nvAdj, pair, quality, numaGroups: [...numa.values()], allMask, exclusiveMask, fractionalMask, timeSlicedMask,
    migMask, wholeableMask, taintedMask, products, productMasks, maxFractionalMemoryMiB,
    maxNvCliqueWholeable: maxClique(nvAdj, wholeableMask), linkKey: keyParts.join(','),
    structureHash: structureHashOf(inv, keyParts.join(',')),
  };
}

/** Number of set bits. */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Branch and bound over cliques: `r` GPUs chosen so far, `p` the candidates adjacent to all of them, `best`
 * the largest clique found so far. Returns the largest clique size found (at least `best`).
 */
function growClique(adj: Int32Array, r: number, p: number, best: number): number {
  if (p === 0) return r > best ? r : best;
  let rest = p;
  while (rest !== 0) {
    if (r + popcount(rest) <= best) return best;
    const low = rest & -rest;
    const v = 31 - Math.clz32(low);
    rest &= ~low;
    best = growClique(adj, r + 1, rest & (adj[v] ?? 0), best);
  }
  return best;
}

/** Size of the largest clique of `adj` inside `mask` (every pair adjacent). A single GPU is a clique of 1. */
export function maxClique(adj: Int32Array, mask: number): number {
  if (mask === 0) return 0;
  if ((mask & (mask - 1)) === 0) return 1;
  return growClique(adj, 0, mask, 0);
}
