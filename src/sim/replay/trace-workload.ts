import type { TypicalPod } from '../../algorithm/baselines/fgd-fragmentation.js';
import type { TargetTask } from '../../algorithm/scheduling-options.js';
import { TRACE_GPU_MEMORY_MIB } from './trace-to-model.js';

/**
 * The trace's typical pods as the core's target workload (the same data FGD uses; nothing tuned per trace):
 * whole-GPU specs as `whole`, sub-GPU specs as `share` with memory in the same fraction as compute, and the
 * spec's allowed models (FGD's NoAccess).
 * CPU-only specs have no GPU shape in the core's measure and are left out.
 */
export function traceTargetWorkload(typical: readonly TypicalPod[]): TargetTask[] {
  return typical
    .filter((t) => t.gpuCount > 0 && t.gpuMilli > 0)
    .map((t) => ({
      weight: t.p,
      kind: t.gpuMilli >= 1000 ? 'whole' : 'share',
      gpus: t.gpuCount,
      memoryMiB: t.gpuMilli >= 1000 ? 0 : (t.gpuMilli * TRACE_GPU_MEMORY_MIB) / 1000,
      computeMilli: t.gpuMilli >= 1000 ? 0 : t.gpuMilli,
      migProfileId: null,
      cpuMilli: t.cpuMilli,
      models: t.models,
    }));
}
