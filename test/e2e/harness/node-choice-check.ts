import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../../src/algorithm/scheduling-options.js';
import { makeSnapshot } from '../../../src/algorithm/snapshot.js';
import type { Allocation } from '../../../src/model/allocation.js';
import { NodeChoiceMirror } from '../../../src/sim/kube-scheduler/node-choice-mirror.js';
import { schedulerProfileModelFromFile } from '../../../src/sim/kube-scheduler/scheduler-profile-model.js';
import type { TraceNode, TracePod } from '../../../src/sim/replay/load-trace.js';
import { replayRun } from '../../../src/sim/replay/replay-run.js';
import { seededRng } from '../../../src/sim/replay/seeded-rng.js';
import { tesseraReplayPolicy } from '../../../src/sim/replay/tessera-replay-policy.js';
import { traceNodeInventory, tracePodRequest } from '../../../src/sim/replay/trace-to-model.js';
import { fleetGpuCapacity } from '../../../src/algorithm/snapshot.js';
import { makeNodeState } from '../../../src/algorithm/node-state.js';
import { allocationOf } from './gpu-fleet.js';
import type { TesseraStack } from './tessera-stack.js';
import { traceKwokPod } from './trace-slice.js';
import { join } from 'node:path';
import { REPO_ROOT } from './local-cluster.js';

/** What replaying a trace slice through the real kube-scheduler and through the model found. */
export interface NodeChoiceReport {
  readonly pods: number;
  /** Pods the real cluster bound. */
  readonly bound: number;
  /** Real choices whose model total equals the model's best total (the model picks a node of equal score). */
  readonly agreed: number;
  /** Pods the real cluster left unschedulable where the model also found no node. */
  readonly agreedUnschedulable: number;
  /** Pods where the two differ (first few, for the log). */
  readonly disagreements: readonly string[];
  /** Unallocated GPU % after the slice: the real cluster, and the model replaying it alone (its own choices). */
  readonly realUnallocatedPct: number;
  readonly modelUnallocatedPct: number;
  /** Mean ties at the model's best total (kube-scheduler breaks them at random). */
  readonly meanBestNodes: number;
}

/**
 * Replays `pods` one at a time, in order, through the real stack (each pod is created once the previous one is
 * bound or unschedulable; an unschedulable pod is deleted, as the replay drops it), and judges every real choice
 * against the model kept in step (NodeChoiceMirror). Then replays the same slice through the model alone and
 * compares the unallocated GPU share. `onPod` sees progress.
 */
export async function runNodeChoiceCheck(
  stack: TesseraStack, nodes: readonly TraceNode[], pods: readonly TracePod[], namespace: string,
  onPod?: (k: number, report: string) => void,
): Promise<NodeChoiceReport> {
  const profile = schedulerProfileModelFromFile(join(REPO_ROOT, 'deploy', 'scheduler-config.yaml'));
  const inventories = nodes.map(traceNodeInventory);
  const mirror = new NodeChoiceMirror(inventories, DEFAULT_SCHEDULING_OPTIONS, profile);
  const byName = new Map(inventories.map((inv) => [inv.name, inv]));
  const capacityMilli = inventories.reduce((s, inv) => s + inv.gpus.length * 1000, 0);
  await stack.core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
  let bound = 0; let agreed = 0; let agreedUnschedulable = 0; let allocated = 0; let bestNodes = 0; let judged = 0;
  const disagreements: string[] = [];
  for (let k = 0; k < pods.length; k += 1) {
    const tracePod = pods[k] as TracePod;
    const req = tracePodRequest(tracePod);
    mirror.observe(req);
    const body = traceKwokPod(tracePod, namespace);
    const name = body.metadata?.name as string;
    await stack.core.createNamespacedPod({ namespace, body });
    // Pods without GPUs name no managed resource: kube-scheduler binds them itself, with no allocation annotation.
    const outcome = await settle(stack, namespace, name, tracePod.gpuCount > 0);
    if (outcome.kind === 'bound') {
      bound += 1;
      const node = outcome.pod.spec?.nodeName as string;
      const verdict = mirror.verdict(req, node);
      judged += 1;
      bestNodes += verdict.bestNodes;
      if (verdict.chosenTotal === verdict.bestTotal) agreed += 1;
      else if (disagreements.length < 20) disagreements.push(`#${String(k)} ${name}: kube-scheduler chose ${node} (model total ${String(verdict.chosenTotal)}), model best ${String(verdict.bestTotal)} on ${String(verdict.bestNodes)} node(s)`);
      const alloc = allocationOf(outcome.pod);
      const inv = byName.get(node);
      if ((alloc === null && tracePod.gpuCount > 0) || inv === undefined) throw new Error(`pod ${name} bound to ${node} without a Tessera allocation`);
      const allocation: Allocation = {
        node,
        devices: (alloc?.devices ?? []).map((d) => ({ ...d, gpuIndex: d.index, gpuUuid: inv.gpus[d.index]?.uuid ?? '' })),
        cpuMilli: req.cpuMilli,
        memoryMiB: req.hostMemoryMiB,
      };
      mirror.apply(req, allocation);
      allocated += tracePod.gpuCount * tracePod.gpuMilli;
    } else {
      const verdict = mirror.verdict(req, '');
      if (Number.isNaN(verdict.bestTotal)) agreedUnschedulable += 1;
      else if (disagreements.length < 20) disagreements.push(`${name}: unschedulable in the cluster, the model would place it (best ${String(verdict.bestTotal)})`);
      await stack.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
    }
    onPod?.(k, `${String(k + 1)}/${String(pods.length)} pods, ${String(bound)} bound, ${String(agreed + agreedUnschedulable)} agreed`);
  }
  // The model alone on the same slice, nodes in the slice's order, pods in the same order.
  const states = inventories.map((inv) => makeNodeState(inv));
  const policy = tesseraReplayPolicy(DEFAULT_SCHEDULING_OPTIONS, { ...makeSnapshot([]), gpuCapacity: fleetGpuCapacity(states) },
    { kind: 'kube-scheduler', profile });
  const log = replayRun(inventories, [], pods, policy, seededRng(1));
  const modelUsed = log.usedMilli[log.usedMilli.length - 1] ?? 0;
  return {
    pods: pods.length, bound, agreed, agreedUnschedulable, disagreements,
    realUnallocatedPct: 100 - (100 * allocated) / capacityMilli,
    modelUnallocatedPct: 100 - (100 * modelUsed) / capacityMilli,
    meanBestNodes: judged === 0 ? 0 : bestNodes / judged,
  };
}

/** Waits until the pod is bound (with Tessera's allocation when `annotated`), or kube-scheduler has marked it unschedulable (PodScheduled=False, Unschedulable). */
async function settle(stack: TesseraStack, namespace: string, name: string, annotated: boolean): Promise<{ kind: 'bound'; pod: V1Pod } | { kind: 'unschedulable' }> {
  const deadline = Date.now() + 60_000;
  let pod: V1Pod | null = null;
  for (let delay = 20; Date.now() < deadline; delay = Math.min(200, delay * 2)) {
    pod = await stack.core.readNamespacedPod({ name, namespace });
    if ((pod.spec?.nodeName ?? '') !== '' && (!annotated || pod.metadata?.annotations?.['tessera.io/allocation'] !== undefined)) return { kind: 'bound', pod };
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.reason === 'Unschedulable') return { kind: 'unschedulable' };
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`pod ${namespace}/${name} was neither bound nor marked unschedulable within 60 s: node "${pod?.spec?.nodeName ?? ''}", ` +
    `annotations ${JSON.stringify(pod?.metadata?.annotations ?? {})}, conditions ${JSON.stringify(pod?.status?.conditions ?? [])}`);
}
