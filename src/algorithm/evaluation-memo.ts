import type { NodeEvaluation } from './cycle-state.js';
import type { SchedulingOptions } from './scheduling-options.js';
import type { PackingValues } from './packing-value.js';
import { packingValuesFor } from './packing-value.js';

/** Default bound on kept evaluations over all request shapes (about 100 MB at most). */
const DEFAULT_MAX_EVALUATIONS = 400_000;

/**
 * Node evaluations kept across scheduling cycles, per request shape and node signature, for ONE
 * SchedulingOptions. Evaluations are pure functions of (shape, options, signature), so sharing them is safe;
 * the memo only saves work. Owned by the caller (the extender service, one replay run), never a global:
 * pass it to `prefilter`. Bounded: beyond `maxEvaluations` it starts afresh.
 */
export class EvaluationMemo {
  private readonly shapes = new Map<string, Map<string, NodeEvaluation>>();
  private kept = 0;

  /** Packing values of the options' target workload (tables built on first use, shared per workload array). */
  readonly packingValues: PackingValues;

  constructor(readonly options: SchedulingOptions, private readonly maxEvaluations = DEFAULT_MAX_EVALUATIONS) {
    this.packingValues = packingValuesFor(options.targetWorkload);
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
