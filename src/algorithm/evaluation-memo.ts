import type { NodeEvaluation } from './cycle-state.js';
import { PreparedWorkload } from './fragmentation.js';
import { GpuSetMemo } from './gpu-set-memo.js';
import { PackingValues } from './packing-value.js';
import type { SchedulingOptions } from './scheduling-options.js';

/** Default bound on kept evaluations over all request shapes (about 100 MB at most). */
const DEFAULT_MAX_EVALUATIONS = 400_000;

/**
 * Everything the pure core remembers between scheduling cycles for ONE SchedulingOptions: node evaluations per
 * request shape and node signature, the prepared target workload (with its fragmentation tables per node
 * signature), the workload's packing values and the GPU set searches. Every entry is a pure function of its key
 * and the options, so sharing is safe; the memo only saves work. Owned by the caller (the PlacementEngine, one
 * replay run), never a module global: pass it to `prefilter`. Bounded: beyond `maxEvaluations` the evaluations
 * start afresh (the other tables have their own bounds).
 */
export class EvaluationMemo {
  private readonly shapes = new Map<string, Map<string, NodeEvaluation>>();
  private kept = 0;

  /** The options' target workload, renormalised, with its FragBase memo. */
  readonly workload: PreparedWorkload;
  /** Packing values of the options' target workload (tables built on first use). */
  readonly packingValues: PackingValues;

  /**
   * `gpuSets` may come from a memo of other options (set searches do not depend on them): the PlacementEngine
   * passes its previous memo's when the learned workload changes.
   */
  constructor(
    readonly options: SchedulingOptions,
    private readonly maxEvaluations = DEFAULT_MAX_EVALUATIONS,
    readonly gpuSets: GpuSetMemo = new GpuSetMemo(),
  ) {
    this.workload = new PreparedWorkload(options.targetWorkload, options.capacityShare ?? 0);
    this.packingValues = new PackingValues(options.targetWorkload);
  }

  /** The evaluations of one request shape (see `shapeKey`), by node signature. */
  forShape(shapeKey: string): Map<string, NodeEvaluation> {
    let m = this.shapes.get(shapeKey);
    if (m === undefined) {
      m = new Map();
      this.shapes.set(shapeKey, m);
    }
    return m;
  }

  /** Records one more kept evaluation; drops them all when the bound is passed (results stay correct). */
  noteAdded(): void {
    this.kept += 1;
    if (this.kept > this.maxEvaluations) {
      for (const m of this.shapes.values()) m.clear();
      this.shapes.clear();
      this.kept = 0;
    }
  }

  /** Evaluations kept now. */
  get size(): number {
    return this.kept;
  }
}
