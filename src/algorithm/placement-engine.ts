import type { GpuRequest } from '../model/gpu-request.js';
import { prefilter, type CycleState } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import type { SchedulingOptions, TargetTask } from './scheduling-options.js';
import type { Snapshot } from './snapshot.js';
import { WorkloadLearner } from './workload-learner.js';

/**
 * The core's one entry point for everything that places pods over time: the extender service and every replay
 * own one engine each. It holds what the pure functions need to carry between pods (the learned target
 * workload and the memo of node evaluations) so that no module keeps state:
 *
 *   observe(pod)  -> learner (may re-publish the workload: new effective options, fresh memo)
 *   prefilter(pod, snapshot) -> CycleState -> evaluateNode / nodeRank / placeOnNode (pure)
 *
 * With `options.learning` null the target workload is `options.targetWorkload`, fixed. Otherwise that list is
 * the cold start: until the learner is warm the value-loss penalty is off (a penalty priced on a workload that
 * was never seen is worse than none, docs/replay.md), then the learned workload and the configured penalty
 * take over.
 */
export class PlacementEngine {
  private readonly learner: WorkloadLearner | null;
  private current: SchedulingOptions;
  private evaluations: EvaluationMemo;

  constructor(readonly configured: SchedulingOptions) {
    this.learner = configured.learning === null ? null : new WorkloadLearner(configured.targetWorkload, configured.learning);
    this.current = this.learner === null ? configured : { ...configured, valueLossPenalty: 0 };
    this.evaluations = new EvaluationMemo(this.current);
  }

  /** The options placements use now (a new object whenever the learned workload is re-published). */
  get options(): SchedulingOptions {
    return this.current;
  }

  /** Node evaluations kept for the current options. */
  get memo(): EvaluationMemo {
    return this.evaluations;
  }

  /** Bumped whenever `options` changes; anything derived from evaluations must be dropped then. */
  get generation(): number {
    return this.learner?.generation ?? 0;
  }

  /** The learner, or null when the workload is fixed by configuration. */
  get workloadLearner(): WorkloadLearner | null {
    return this.learner;
  }

  /**
   * Tells the engine about a pod it has not seen before (each pod once: when it is first pending, or when a
   * restart finds it). Returns true when the options changed.
   */
  observe(req: GpuRequest): boolean {
    if (this.learner === null || !this.learner.observe(req)) return false;
    this.adopt(this.learner.current());
    return true;
  }

  /**
   * Publishes what the learner has seen now (the service calls it once a restart has listed the cluster, so the
   * workload reflects every pod listed). Returns true when the options changed.
   */
  publishLearned(): boolean {
    if (this.learner === null || !this.learner.publishNow()) return false;
    this.adopt(this.learner.current());
    return true;
  }

  /** Switches to a newly published workload: new options and a new memo of evaluations. */
  private adopt(workload: readonly TargetTask[]): void {
    this.current = { ...this.configured, targetWorkload: workload };
    // GPU set searches do not depend on the options: the new memo keeps them.
    this.evaluations = new EvaluationMemo(this.current, undefined, this.evaluations.gpuSets);
  }

  /** The per-pod cycle state over `snapshot` with the current options and memo. */
  prefilter(req: GpuRequest, snapshot: Snapshot): CycleState {
    return prefilter(req, snapshot, this.current, this.evaluations);
  }
}
