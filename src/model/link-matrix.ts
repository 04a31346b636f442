/**
 * GPU-to-GPU link levels of `nvidia-smi topo -m`, closest first:
 * NV (a bonded set of `bonds` NVLinks) > PIX > PXB > PHB > NODE > SYS. `X` is the diagonal.
 */
export type LinkLevel = 'X' | 'NV' | 'PIX' | 'PXB' | 'PHB' | 'NODE' | 'SYS';

/** One cell of the link matrix. `bonds` is the NVLink count for `NV`, 0 otherwise. */
export interface GpuLink {
  readonly level: LinkLevel;
  readonly bonds: number;
}

/** Symmetric square matrix indexed by GPU position in `NodeInventory.gpus`; `[i][i]` is `X`. */
export type LinkMatrix = readonly (readonly GpuLink[])[];
