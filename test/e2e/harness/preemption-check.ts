import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { allocationOf, allocationViolations, type FleetNode } from './gpu-fleet.js';

/** A running pod as the independent checker sees it: its priority and its devices from the annotation. */
export interface CheckedPod {
  readonly name: string;
  readonly priority: number;
  readonly devices: readonly { readonly index: number; readonly kind: string; readonly memoryMiB: number; readonly computeMilli: number }[];
}

/** What a preemptor needs, in the checker's own simple terms (independent of Tessera's placement code). */
export type Need =
  | { readonly kind: 'whole'; readonly gpus: number }
  | { readonly kind: 'share'; readonly memoryMiB: number; readonly computeMilli: number }
  /** A MIG profile that needs a whole GPU's slices (7g): one GPU with nothing on it. */
  | { readonly kind: 'empty-gpu' };

/** Victim cost, compared as Tessera documents it: fewest pods, then lowest highest priority, then lowest sum. */
export interface Cost {
  readonly count: number;
  readonly maxPriority: number;
  readonly prioritySum: number;
}

/** Whether `need` fits on `node` once only `remaining` run there (per-GPU, no topology). */
export function fitsAfter(node: FleetNode, remaining: readonly CheckedPod[], need: Need): boolean {
  const used = Array.from({ length: node.gpus }, () => ({ any: false, whole: false, memory: 0, compute: 0 }));
  for (const p of remaining) {
    for (const d of p.devices) {
      const u = used[d.index];
      if (u === undefined) continue;
      u.any = true;
      if (d.kind === 'whole') u.whole = true;
      u.memory += d.memoryMiB;
      u.compute += d.computeMilli;
    }
  }
  switch (need.kind) {
    case 'whole': return used.filter((u) => !u.any).length >= need.gpus;
    case 'empty-gpu': return used.some((u) => !u.any);
    case 'share': return used.some((u) => !u.whole && node.gpuMemoryMiB - u.memory >= need.memoryMiB && 1000 - u.compute >= need.computeMilli);
  }
}

/**
 * The cheapest victims on `node` for a preemptor of `priority` needing `need`, by brute force over every subset
 * of the lower-priority pods (null when none frees enough). Independent of Tessera: the fleet's declared
 * capacities and the pods' annotations only.
 */
export function cheapestVictims(node: FleetNode, pods: readonly CheckedPod[], priority: number, need: Need): { cost: Cost; sets: string[][] } | null {
  const lower = pods.filter((p) => p.priority < priority);
  if (lower.length > 16) throw new Error(`checker: ${lower.length} candidate victims on ${node.name} is too many to brute-force`);
  let best: Cost | null = null;
  let sets: string[][] = [];
  for (let mask = 1; mask < 1 << lower.length; mask += 1) {
    const set = lower.filter((_, i) => (mask & (1 << i)) !== 0);
    const names = new Set(set.map((p) => p.name));
    if (!fitsAfter(node, pods.filter((p) => !names.has(p.name)), need)) continue;
    const cost = { count: set.length, maxPriority: Math.max(...set.map((p) => p.priority)), prioritySum: set.reduce((s, p) => s + p.priority, 0) };
    const cmp = best === null ? -1 : cost.count - best.count || cost.maxPriority - best.maxPriority || cost.prioritySum - best.prioritySum;
    if (cmp < 0) {
      best = cost;
      sets = [];
    }
    if (cmp <= 0) sets.push([...names].sort());
  }
  return best === null ? null : { cost: best, sets };
}

/** Bound pods of `nodeName` among `pods` with their priorities and allocations. */
export function podsOnNode(pods: readonly V1Pod[], nodeName: string): CheckedPod[] {
  return pods.filter((p) => p.spec?.nodeName === nodeName && p.metadata?.deletionTimestamp === undefined).map((p) => ({
    name: p.metadata?.name ?? '',
    priority: p.spec?.priority ?? 0,
    devices: allocationOf(p)?.devices ?? [],
  }));
}

/**
 * Samples every pod of the cluster every `intervalMs` and runs the independent over-commit checker on each
 * sample, so a moment of over-commit between two assertions is seen too.
 */
export class OvercommitSampler {
  private readonly violations: string[] = [];
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly core: CoreV1Api, private readonly fleet: readonly FleetNode[], private readonly intervalMs = 250) {}

  start(): void {
    const tick = (): void => {
      this.running = this.core.listPodForAllNamespaces().then((list) => {
        this.samples += 1;
        for (const v of allocationViolations(this.fleet, list.items)) this.violations.push(`sample ${String(this.samples)}: ${v}`);
      }, () => undefined).finally(() => {
        this.running = null;
        if (this.timer !== null) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops sampling; returns the violations seen and how many samples were taken. */
  async stop(): Promise<{ violations: string[]; samples: number }> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    return { violations: [...this.violations], samples: this.samples };
  }
}
