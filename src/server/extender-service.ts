import type { PodObject } from '../cluster/cache/cluster-source.js';
import { parseGpuRequest, type PodLike } from '../model/parse-gpu-request.js';
import type { PlacementEngine } from '../algorithm/placement-engine.js';
import { ExtenderContext, type ExtenderServiceDeps } from './extender-context.js';
import { candidatesFromNames, type NameCandidates } from './name-candidates.js';
import { toFilterResult, type NamesFilterAnswer } from './names-filter-answer.js';
import type { NodeNameIndex } from './node-name-index.js';
import { PodNominator, type PodNominatorOptions } from './pod-nominator.js';
import { bindPod } from './verbs/bind-verb.js';
import { narrowToChoice } from './verbs/filter-choice.js';
import { filterNominated } from './verbs/filter-nominated.js';
import { filterFullNodes, filterNames } from './verbs/filter-verb.js';
import { preemptPod } from './verbs/preempt-verb.js';
import { prioritizeFullNodes, prioritizeNames } from './verbs/prioritize-verb.js';
import type {
  ExtenderArgs, ExtenderBindingArgs, ExtenderBindingResult, ExtenderFilterResult, ExtenderPreemptionArgs, ExtenderPreemptionResult,
  HostPriority, WirePod,
} from './wire-schemas.js';

export type { ExtenderServiceDeps } from './extender-context.js';
export { NOT_SYNCED_ERROR } from './verbs/filter-verb.js';

/**
 * The extender over one cluster cache: kube-scheduler's filter, prioritize, bind and preempt, transport-free
 * (the HTTP adapter in src/server/http, and the gRPC one, call it with validated bodies). Each verb lives in
 * src/server/verbs/ over the shared ExtenderContext; names-only requests (`nodeCacheCapable: true`, what
 * deploy/ runs) and full Node objects take separate paths. Each call takes one snapshot and passes it down;
 * bind holds devices through the cache's assume/forget, never a global lock.
 */
export class ExtenderService {
  private readonly ctx: ExtenderContext;

  constructor(deps: ExtenderServiceDeps) {
    this.ctx = new ExtenderContext(deps);
  }

  /** The core's entry point this service owns (learned workload, kept evaluations). */
  get engine(): PlacementEngine {
    return this.ctx.engine;
  }

  /** Node names as ids: the HTTP adapter resolves request bodies' names with it, and answers are kept by id. */
  get names(): NodeNameIndex {
    return this.ctx.names;
  }

  /**
   * Learns from a pod the cluster shows (pending or bound; the cache calls this once per new pod, including
   * every pod listed after a restart). Pods without a GPU request or with an invalid one teach nothing.
   */
  observePod(pod: PodObject): void {
    const uid = pod.metadata?.uid;
    if (typeof uid !== 'string' || uid === '' || !this.ctx.observed.add(uid)) return;
    const parsed = parseGpuRequest(pod as PodLike);
    if (parsed.ok) this.ctx.engine.observe(parsed.value);
  }

  /**
   * The cluster source has listed every node and pod (at start, or after a restart): publish the workload learned
   * from all of them now rather than from the first `minPods`.
   */
  clusterListed(): void {
    this.ctx.engine.publishLearned();
  }

  /** Filter: which candidates can hold the pod, with a reason for each rejected one (either wire form). */
  filter(args: ExtenderArgs): ExtenderFilterResult {
    if (args.Nodes == null) return toFilterResult(this.filterCandidates(args.Pod, candidatesFromNames(args.NodeNames ?? [], this.ctx.names)));
    return filterFullNodes(this.ctx, args);
  }

  /**
   * Names-only filter (`nodeCacheCapable: true`): the outcome per candidate, read from the standing answers of
   * the pod's request shape, which judge afresh only the nodes that changed since the last pod of that shape.
   */
  filterCandidates(pod: WirePod, candidates: NameCandidates): NamesFilterAnswer {
    const nominated = this.ctx.deps.cache.synced ? filterNominated(this.ctx, pod, candidates) : null;
    if (nominated !== null) return nominated;
    const answer = filterNames(this.ctx, pod, candidates);
    return this.ctx.deps.filterAnswer === 'choice' ? narrowToChoice(this.ctx, pod, answer) : answer;
  }

  /** Prioritize: the extender score 0..10 per candidate (either wire form), one 10 per request. */
  prioritize(args: ExtenderArgs): HostPriority[] {
    if (args.Nodes == null) {
      const names = args.NodeNames ?? [];
      const scores = this.prioritizeCandidates(args.Pod, candidatesFromNames(names, this.ctx.names));
      return names.map((Host, i) => ({ Host, Score: scores[i] as number }));
    }
    return prioritizeFullNodes(this.ctx, args);
  }

  /** Names-only prioritize: the extender score (0..10) per candidate, in request order. */
  prioritizeCandidates(pod: WirePod, candidates: NameCandidates): Uint8Array {
    return prioritizeNames(this.ctx, pod, candidates);
  }

  /** Bind: places the pod, holds its devices in the assume cache, writes the allocation and binds. */
  bind(args: ExtenderBindingArgs): Promise<ExtenderBindingResult> {
    return bindPod(this.ctx, args);
  }

  /** A nominator of new pending pods over this service's state (config `nominateFor`); the caller feeds it cluster events. */
  createNominator(options: PodNominatorOptions): PodNominator {
    return new PodNominator(this.ctx, options);
  }

  /** Preempt: the fewest, lowest-priority victims per candidate node whose removal frees what the pod needs. */
  preempt(args: ExtenderPreemptionArgs): ExtenderPreemptionResult {
    return preemptPod(this.ctx, args);
  }
}
