import type { GpuUsage } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import { migProfile } from '../model/mig-profiles.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import type { GpuChange } from './fragmentation.js';
import { fragmentationDelta } from './fragmentation.js';
import { EMPTY_GPU_USAGE, migStartsFree, migUsedSlices } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import { plannedDevice, planEvaluation, rejected } from './plan-evaluation.js';
import { modesOf } from './rejection-text.js';
import { unresolvable, unschedulable } from './status.js';
import { addAssignment } from './usage-math.js';

/** One MIG instance to place, largest first. */
interface MigItem { readonly profile: string; readonly size: number }

/** Candidate placements tried per request before the search gives up (keeps a many-instance request cheap). */
const MIG_SEARCH_BUDGET = 4000;

/** One candidate placement of a MIG instance. */
interface MigCandidate { readonly gpu: number; readonly device: PlannedDevice; readonly usage: GpuUsage; readonly delta: number; readonly used: number }

/**
 * Places every requested MIG instance by depth-first search with backtracking (bounded by MIG_SEARCH_BUDGET).
 * With a cycle, each instance's candidates (every GPU and legal start) are tried in order of least
 * fragmentation increase of the node under the target workload (free slices no target profile can use at a
 * legal start count as fragments), then fuller GPU, then higher start (keeps start 0, the only start of 4g and
 * 7g, free longest), then lower GPU index. GPUs with equal products and equal instances share one evaluation.
 * Without a cycle (the "could the empty node hold them" check) the same order minus fragmentation.
 */
function placeMig(node: NodeState, visible: number, items: readonly MigItem[], usage: readonly GpuUsage[], cycle: CycleState | null): PlannedDevice[] | null {
  const info = node.info;
  const gpus: number[] = [];
  for (let i = 0; i < info.n; i += 1) if ((visible & info.migMask) >> i & 1) gpus.push(i);
  const cur = [...usage];
  const out: PlannedDevice[] = [];
  const touched = new Set<number>();
  let steps = 0;
  const candidates = (item: MigItem): MigCandidate[] => {
    const list: MigCandidate[] = [];
    const seen = new Map<string, number[]>();
    for (const i of gpus) {
      const g = node.inventory.gpus[i];
      const u = cur[i] ?? EMPTY_GPU_USAGE;
      if (g === undefined) continue;
      const p = migProfile(g.product, item.profile);
      if (p === null) continue;
      const key = `${g.product}|${u.mig.map((m) => `${m.profile}@${m.start}`).sort().join('+')}`;
      for (const start of migStartsFree(g, u, item.profile)) {
        const d = plannedDevice(g, i, 'mig', p.memoryMiB, Math.round((1000 * p.computeSlices) / 7), { mig: { profile: p.name, start, size: p.memorySlices } });
        const after = addAssignment(g, u, d);
        let delta = 0;
        if (cycle !== null) {
          const twinDeltas = seen.get(key);
          const known = twinDeltas?.[start];
          if (known !== undefined && !touched.has(i)) {
            delta = known;
          } else {
            const changes: GpuChange[] = [];
            for (const t of touched) if (t !== i) changes.push({ gpu: t, usage: cur[t] ?? EMPTY_GPU_USAGE });
            changes.push({ gpu: i, usage: after });
            delta = fragmentationDelta(node, cycle.workload, changes, 0);
            if (!touched.has(i)) {
              const arr = twinDeltas ?? [];
              arr[start] = delta;
              seen.set(key, arr);
            }
          }
        }
        list.push({ gpu: i, device: d, usage: after, delta, used: migUsedSlices(u.mig) });
      }
    }
    return list.sort((a, b) => (Math.abs(a.delta - b.delta) > 1e-9 ? a.delta - b.delta : 0) || b.used - a.used
      || (b.device.mig?.start ?? 0) - (a.device.mig?.start ?? 0) || a.gpu - b.gpu);
  };
  const rec = (j: number): boolean => {
    if (j === items.length) return true;
    const item = items[j];
    if (item === undefined) return false;
    for (const c of candidates(item)) {
      steps += 1;
      if (steps > MIG_SEARCH_BUDGET) return false;
      const before = cur[c.gpu] ?? EMPTY_GPU_USAGE;
      const wasTouched = touched.has(c.gpu);
      cur[c.gpu] = c.usage;
      touched.add(c.gpu);
      out.push(c.device);
      if (rec(j + 1)) return true;
      out.pop();
      cur[c.gpu] = before;
      if (!wasTouched) touched.delete(c.gpu);
    }
    return false;
  };
  return rec(0) ? out : null;
}

/**
 * Evaluates a MIG request on `node`: every requested instance placed at a free legal start (placeMig); when
 * none fits, whether even the empty node could hold them (unresolvable) or not now (unschedulable).
 */
export function evaluateMig(req: GpuRequest, node: NodeState, cycle: CycleState, visible: number): NodeEvaluation {
  const info = node.info;
  if ((visible & info.migMask) === 0) return rejected(unresolvable(`need MIG instances ${migText(req)}: node has no MIG GPUs (GPUs are ${modesOf(node, visible)})`));
  const items: MigItem[] = [];
  for (const m of req.mig) {
    let size = 0;
    for (const p of info.products) size = Math.max(size, migProfile(p, m.profile)?.memorySlices ?? 0);
    if (size === 0) return rejected(unresolvable(`need MIG profile "${m.profile}": no GPU on the node (${info.products.join(', ')}) offers it`));
    for (let c = 0; c < m.count; c += 1) items.push({ profile: m.profile, size });
  }
  items.sort((a, b) => b.size - a.size);
  const devices = placeMig(node, visible, items, node.usage.gpus, cycle);
  if (devices === null) {
    const empty = node.inventory.gpus.map(() => EMPTY_GPU_USAGE);
    if (placeMig(node, visible, items, empty, null) === null) return rejected(unresolvable(`need MIG instances ${migText(req)}: even the empty node's layout cannot hold them`));
    return rejected(unschedulable(`need MIG instances ${migText(req)}: no free legal placement (${node.migFreeSlices} free memory slices on the node)`));
  }
  return planEvaluation(node, cycle, devices, 100);
}

/** The requested instances as text, e.g. `1g.10gb x2, 3g.40gb x1`. */
function migText(req: GpuRequest): string {
  return req.mig.map((m) => `${m.profile} x${m.count}`).join(', ');
}
