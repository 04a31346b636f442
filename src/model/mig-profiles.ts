import type { MigInstance } from './gpu-device.js';

/**
 * MIG geometry per product: profile tables and the placement rules a packer must respect.
 *
 * A placement is `[start, start + memorySlices)` on the 8-wide memory-slice axis (NVML
 * `nvmlGpuInstancePlacement_t`). A layout is legal when placements do not overlap, every start is one the
 * profile allows (`nvidia-smi mig -lgipp`), compute slices sum to at most 7, no profile exceeds its
 * maximum instance count and there is at most one `+me` (media extensions) instance per GPU.
 *
 * Sources: NVIDIA MIG User Guide v580 "Supported MIG Profiles" and `-lgipp`, KEP-4815 and the go-nvml A100
 * mock (see shared reference §5). Where no source gives MiB (H200, H100-94GB small profiles), memoryMiB is
 * `floor(usableMiB × memorySlices / 8)` rounded down to 256 MiB; docs/topology.md lists every value.
 */

/** Memory-slice axis width (placements live in `[0, 8)`). */
export const MIG_MEMORY_SLICES = 8;
/** SM-slice budget of one GPU. */
export const MIG_COMPUTE_SLICES = 7;

/** One MIG GPU-instance profile of one product. */
export interface MigProfile {
  /** Name as NVIDIA prints it for this product, e.g. `3g.40gb`, `1g.10gb+me`. */
  readonly name: string;
  /** NVML GPU-instance profile id (19, 20, 15, 14, 9, 5, 0). */
  readonly id: number;
  /** Placement size on the 8-slice memory axis. */
  readonly memorySlices: number;
  /** SM slices out of 7. */
  readonly computeSlices: number;
  readonly memoryMiB: number;
  /** Allowed placement starts on the memory axis, ascending. */
  readonly starts: readonly number[];
  readonly maxInstances: number;
  /** True for `+me` profiles (media extensions; one per GPU). */
  readonly mediaExtensions: boolean;
}

/** Memory MiB per placement size (1, 2, 4, 8 slices) and profile names of one product. */
interface ProductGeometry {
  readonly mib: { readonly 1: number; readonly 2: number; readonly 4: number; readonly 8: number };
  /** Names for profile ids 19 (1g, 1 slice), 15 (1g, 2 slices), 14 (2g), 9 (3g), 5 (4g), 0 (7g). */
  readonly names: readonly [string, string, string, string, string, string];
}

/** Expands one product's names and sizes into the shared -lgipp placement structure (§5.2). */
function geometry(g: ProductGeometry): readonly MigProfile[] {
  const [p19, p15, p14, p9, p5, p0] = g.names;
  const p = (name: string, id: number, memorySlices: 1 | 2 | 4 | 8, computeSlices: number,
    starts: readonly number[], maxInstances: number): MigProfile =>
    Object.freeze({
      name, id, memorySlices, computeSlices, memoryMiB: g.mib[memorySlices],
      starts: Object.freeze([...starts]), maxInstances, mediaExtensions: name.endsWith('+me'),
    });
  return Object.freeze([
    p(p19, 19, 1, 1, [0, 1, 2, 3, 4, 5, 6], 7),
    p(`${p19}+me`, 20, 1, 1, [0, 1, 2, 3, 4, 5, 6], 1),
    p(p15, 15, 2, 1, [0, 2, 4, 6], 4),
    p(p14, 14, 2, 2, [0, 2, 4], 3),
    p(p9, 9, 4, 3, [0, 4], 2),
    p(p5, 5, 4, 4, [0], 1),
    p(p0, 0, 8, 7, [0], 1),
  ]);
}

/** A100-80GB and H100-80GB share one MIG geometry. */
const GEOMETRY_80GB = geometry({
  mib: { 1: 9856, 2: 19968, 4: 40192, 8: 80384 },
  names: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
});

const H100_94GB = geometry({
  // 4g/7g from the H100 NVL `-lgip` (46.38 / 93.12 GiB); 1- and 2-slice sizes derived (see header).
  mib: { 1: 11776, 2: 23808, 4: 47488, 8: 95360 },
  names: ['1g.12gb', '1g.24gb', '2g.24gb', '3g.47gb', '4g.47gb', '7g.94gb'],
});

/** Profile tables keyed by canonical product name (see gpu-product.ts). */
const TABLES: ReadonlyMap<string, readonly MigProfile[]> = new Map([
  ['A100-40GB', geometry({
    mib: { 1: 4864, 2: 9856, 4: 19968, 8: 40192 },
    names: ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  })],
  ['A100-80GB', GEOMETRY_80GB],
  // H100 -lgip: 1g.10gb 9.62 GiB, 2g.20gb 19.50 GiB, 3g.40gb 39.25 GiB; 7g as on A100-80GB: the same geometry.
  ['H100-80GB', GEOMETRY_80GB],
  ['H100-94GB', H100_94GB],
  ['GH200', H100_94GB],
  ['H200-141GB', geometry({
    // Derived from 143771 MiB usable (no MiB in the sources).
    mib: { 1: 17920, 2: 35840, 4: 71680, 8: 143616 },
    names: ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
  })],
  ['B200', geometry({
    mib: { 1: 23552, 2: 46080, 4: 92160, 8: 184320 },
    names: ['1g.23gb', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb'],
  })],
]);

/** Canonical products that have a MIG table, in a stable order. */
export function migProducts(): readonly string[] {
  return [...TABLES.keys()];
}

/** All MIG profiles of `product` (canonical name), in `-lgipp` order (smallest first); [] when not MIG-capable. */
export function migProfilesFor(product: string): readonly MigProfile[] {
  return TABLES.get(product) ?? [];
}

/** The profile `profileName` of `product`, or null when that product has no such profile (names differ per product). */
export function migProfile(product: string, profileName: string): MigProfile | null {
  return migProfilesFor(product).find((p) => p.name === profileName) ?? null;
}

/**
 * Legal starts for a new `profileName` instance given the instances already on the GPU, ascending.
 * Empty when the profile is unknown for the product, when an existing instance names an unknown profile
 * (its compute use cannot be known, so nothing is offered), or when no placement is free.
 */
export function freeMigStarts(product: string, existing: readonly MigInstance[], profileName: string): number[] {
  const profile = migProfile(product, profileName);
  if (profile === null) return [];
  let compute = 0;
  let mediaExtensions = 0;
  let sameProfile = 0;
  const used = new Array<boolean>(MIG_MEMORY_SLICES).fill(false);
  for (const inst of existing) {
    const p = migProfile(product, inst.profile);
    if (p === null) return [];
    compute += p.computeSlices;
    if (p.mediaExtensions) mediaExtensions += 1;
    if (p.name === profile.name) sameProfile += 1;
    for (let s = inst.start; s < inst.start + inst.size; s += 1) used[s] = true;
  }
  if (compute + profile.computeSlices > MIG_COMPUTE_SLICES) return [];
  if (profile.mediaExtensions && mediaExtensions >= 1) return [];
  if (sameProfile >= profile.maxInstances) return [];
  return profile.starts.filter((start) => {
    for (let s = start; s < start + profile.memorySlices; s += 1) if (used[s] === true) return false;
    return true;
  });
}

/**
 * The first reason `instances` is not a legal MIG layout on `product`, or null when it is legal.
 * Checks: known profile, size equals the profile's memory slices, allowed start, no overlap, at most 7
 * compute slices, per-profile maximum, one `+me` per GPU.
 */
export function migLayoutError(product: string, instances: readonly MigInstance[]): string | null {
  if (migProfilesFor(product).length === 0) return `product "${product}" does not support MIG`;
  const owner = new Array<number>(MIG_MEMORY_SLICES).fill(-1);
  const counts = new Map<string, number>();
  let compute = 0;
  let mediaExtensions = 0;
  for (const [i, inst] of instances.entries()) {
    const p = migProfile(product, inst.profile);
    if (p === null) return `instance ${i}: profile "${inst.profile}" does not exist on ${product}`;
    if (inst.size !== p.memorySlices) {
      return `instance ${i}: "${inst.profile}" has size ${inst.size}: the profile uses ${p.memorySlices} memory slices`;
    }
    if (!p.starts.includes(inst.start)) {
      return `instance ${i}: "${inst.profile}" cannot start at ${inst.start}: allowed starts are ${p.starts.join(',')}`;
    }
    for (let s = inst.start; s < inst.start + inst.size; s += 1) {
      const other = owner[s] ?? -1;
      if (other >= 0) return `instance ${i}: "${inst.profile}" at ${inst.start} overlaps instance ${other} on memory slice ${s}`;
      owner[s] = i;
    }
    compute += p.computeSlices;
    const n = (counts.get(p.name) ?? 0) + 1;
    counts.set(p.name, n);
    if (n > p.maxInstances) return `instance ${i}: more than ${p.maxInstances} "${p.name}" instances`;
    if (p.mediaExtensions) mediaExtensions += 1;
    if (mediaExtensions > 1) return `instance ${i}: only one +me instance is allowed per GPU`;
  }
  if (compute > MIG_COMPUTE_SLICES) return `layout uses ${compute} compute slices: a GPU has ${MIG_COMPUTE_SLICES}`;
  return null;
}

/** True when `instances` is a legal MIG layout on `product` (see `migLayoutError` for the rules). */
export function isLegalMigLayout(product: string, instances: readonly MigInstance[]): boolean {
  return migLayoutError(product, instances) === null;
}
