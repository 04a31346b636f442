import type { CycleState } from '../../algorithm/cycle-state.js';
import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { nodeRank } from '../../algorithm/node-rank.js';
import { placeOnNode } from '../../algorithm/place.js';
import { PlacementEngine } from '../../algorithm/placement-engine.js';
import type { SchedulingOptions } from '../../algorithm/scheduling-options.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import { KubeSchedulerChoice } from '../kube-scheduler/kube-scheduler-choice.js';
import type { SchedulerProfileModel } from '../kube-scheduler/scheduler-profile-model.js';
import type { ReplayPolicy } from './replay-policy.js';
import type { GpuRequest } from '../../model/gpu-request.js';

/**
 * Whether kube-scheduler calls the extender for a replayed pod: always when the extender lists no
 * managedResources; otherwise only for pods with GPUs (every replayed GPU request names nvidia.com/gpu or a
 * tessera.io GPU resource, which deploy/ lists), never for a CPU-only pod.
 */
export function extenderInterested(profile: SchedulerProfileModel, req: GpuRequest): boolean {
  return profile.managedResources === 'all' || req.kind !== 'none';
}

/**
 * How the replay picks a node among those Tessera ranks:
 * - kube-scheduler: as a real kube-scheduler does with deploy/'s configuration (Tessera's 0..10 extender scores
 *   x weight x 10 plus the profile's in-tree node-resource scores, random ties); what users run;
 * - argmax: Tessera's own best rank, ties to the lowest node position (the FGD protocol's choice).
 */
export type NodeChoice = { readonly kind: 'kube-scheduler'; readonly profile: SchedulerProfileModel } | { readonly kind: 'argmax' };

/**
 * Tessera's policy in the harness, through the same core entry point the extender uses: a PlacementEngine that
 * learns the target workload from the arrivals (each pod is observed once, in `arrive`, as the service observes
 * a pod when it first sees it pending), its cycle state per attempt, `nodeRank` per node and `placeOnNode`
 * on the chosen node (as the extender's bind). `snapshot` only supplies what the cycle reads across nodes (price
 * range, groups, GPUs per product), which placements do not change.
 */
export function tesseraReplayPolicy(options: SchedulingOptions, snapshot: Snapshot, choice: NodeChoice, name = 'Tessera'): ReplayPolicy {
  const engine = new PlacementEngine(options);
  let cycle: CycleState | null = null;
  let chooser: KubeSchedulerChoice | null = null;
  return {
    name,
    pick: choice.kind === 'argmax' ? 'argmax' : 'custom',
    generation: () => engine.generation,
    arrive(pod) {
      engine.observe(pod.request);
    },
    startPod(pod) {
      cycle = engine.prefilter(pod.request, snapshot);
    },
    score(pod, node) {
      const c = cycle ?? engine.prefilter(pod.request, snapshot);
      const e = evaluateNode(node.state, c);
      return e.status.code === 'success' ? nodeRank(node.state, c, e) : -1;
    },
    choose(pod, ranks, nodes, rng) {
      if (choice.kind !== 'kube-scheduler') throw new Error('bug: choose called without kube-scheduler node choice');
      chooser ??= new KubeSchedulerChoice(choice.profile, nodes.map((n) => ({ name: n.inventory.name, cpuMilli: n.inventory.cpuMilli, memoryMiB: n.inventory.memoryMiB })));
      return chooser.choose(ranks, { cpuMilli: pod.request.cpuMilli, memoryMiB: pod.request.hostMemoryMiB }, rng, extenderInterested(choice.profile, pod.request));
    },
    place(pod, node) {
      const c = engine.prefilter(pod.request, snapshot);
      const allocation = placeOnNode(pod.request, node.state, c).allocation;
      if (allocation !== null) chooser?.placed(node.position, { cpuMilli: pod.request.cpuMilli, memoryMiB: pod.request.hostMemoryMiB });
      return allocation;
    },
    release(pod, node) {
      chooser?.removed(node.position, { cpuMilli: pod.request.cpuMilli, memoryMiB: pod.request.hostMemoryMiB });
    },
  };
}
