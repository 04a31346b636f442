/** What a waiting pod asks for, as the stranded measure pools it (`count` equal pods at once; default 1). */
export interface PooledDemand {
  readonly count?: number;
  /** GPU count × milli per GPU. */
  readonly gpuMilli: number;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  /** Bit mask of the GPU models the pod may use (see FreePools.maskOf). */
  readonly modelMask: number;
}

/**
 * Free resources of the cluster summed per GPU model: what a pod could use if every node's free GPU milli,
 * CPU and memory were one pool. Kept incrementally by the churn harness (add the change of each node).
 */
export class FreePools {
  private readonly index = new Map<string, number>();
  private readonly gpu: Float64Array;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  /** Mask of every model. */
  readonly allModels: number;

  constructor(models: readonly string[]) {
    const distinct = [...new Set(models)];
    if (distinct.length > 30) throw new Error(`bug: at most 30 GPU models can be pooled, got ${distinct.length}`);
    distinct.forEach((m, i) => this.index.set(m, i));
    this.gpu = new Float64Array(distinct.length);
    this.cpu = new Float64Array(distinct.length);
    this.mem = new Float64Array(distinct.length);
    this.allModels = distinct.length === 0 ? 0 : 2 ** distinct.length - 1;
  }

  /** The mask of `models` (null or empty: any model); models the cluster lacks add nothing. */
  maskOf(models: readonly string[] | null): number {
    if (models === null || models.length === 0) return this.allModels;
    let m = 0;
    for (const name of models) {
      const i = this.index.get(name);
      if (i !== undefined) m |= 1 << i;
    }
    return m;
  }

  /** Adds a change of free resources on a node of `model` (negative when a pod is placed). */
  add(model: string, gpuMilli: number, cpuMilli: number, memoryMiB: number): void {
    const i = this.index.get(model);
    if (i === undefined) throw new Error(`bug: GPU model "${model}" is not pooled`);
    this.gpu[i]! += gpuMilli;
    this.cpu[i]! += cpuMilli;
    this.mem[i]! += memoryMiB;
  }

  /** Free GPU milli over every model. */
  idleGpuMilli(): number {
    let s = 0;
    for (const v of this.gpu) s += v;
    return s;
  }

  /** Free [GPU milli, CPU milli, memory MiB] summed over the models of `mask`. */
  pooled(mask: number): [number, number, number] {
    let g = 0, c = 0, m = 0;
    for (let i = 0; i < this.gpu.length; i++) {
      if (((mask >> i) & 1) === 0) continue;
      g += this.gpu[i]!; c += this.cpu[i]!; m += this.mem[i]!;
    }
    return [g, c, m];
  }

  /** True when `d` fits the free resources pooled over the models it may use. */
  fits(d: PooledDemand): boolean {
    return fitsPool(d, this.pooled(d.modelMask));
  }
}

function fitsPool(d: PooledDemand, [g, c, m]: readonly [number, number, number]): boolean {
  return d.modelMask !== 0 && d.gpuMilli <= g && d.cpuMilli <= c && d.memoryMiB <= m;
}

/**
 * Stranded GPU milli at one moment: the idle GPU that waiting pods which fit the pooled free capacity could
 * use, i.e. min(idle GPU milli, Σ GPU milli asked by the waiting pods that `pools.fits`). Integrated over
 * time it gives stranded GPU-hours: GPU left idle while pods that the cluster's free capacity, as a whole,
 * would hold were waiting (fragmentation across GPUs and nodes, CPU and memory stranded beside GPUs, and the
 * queue's own backoff). CPU-only pods ask for no GPU and add nothing.
 */
export function strandedGpuMilli(waiting: Iterable<PooledDemand>, pools: FreePools): number {
  let asked = 0;
  const byMask = new Map<number, [number, number, number]>();
  for (const d of waiting) {
    if (d.gpuMilli <= 0) continue;
    let pool = byMask.get(d.modelMask);
    if (pool === undefined) { pool = pools.pooled(d.modelMask); byMask.set(d.modelMask, pool); }
    if (fitsPool(d, pool)) asked += d.gpuMilli * (d.count ?? 1);
  }
  return asked === 0 ? 0 : Math.min(asked, pools.idleGpuMilli());
}
