import { migProfilesFor } from './mig-profiles.js';

/**
 * Canonical GPU products: one name per (model, memory size) so that MIG tables, presets, price tables and
 * `tessera.io/gpu-model` filters agree, whatever spelling GPU Feature Discovery or a trace used.
 */

/** How the GPUs sit on the board: SXM modules on an NVLink/NVSwitch baseboard, or PCIe cards. */
export type FormFactor = 'sxm' | 'pcie';

/** Static facts about one canonical product. */
export interface GpuProductSpec {
  /** Canonical name, e.g. `H100-80GB`. */
  readonly name: string;
  /** Memory per GPU in MiB as `nvidia-smi` / GFD `nvidia.com/gpu.memory` report it (see `memoryKnown`). */
  readonly memoryMiB: number;
  /** False when the vendor never disclosed the memory (trace codes G1/G2/G3): `memoryMiB` is a default. */
  readonly memoryKnown: boolean;
  /** True when the product has a MIG table in mig-profiles.ts. */
  readonly mig: boolean;
  /** Usual form factor; a GFD label saying `PCIE`/`SXM` overrides it (see `formFactorOf`). */
  readonly formFactor: FormFactor;
  /** NVLinks bonded between two GPUs of the vendor's SXM board (NV12, NV18), null without NVLink. */
  readonly nvlinkBonds: number | null;
  /** Topology preset of the vendor's full SXM board, used when a node has exactly `boardGpus` GPUs. */
  readonly boardPreset: string | null;
  readonly boardGpus: number | null;
}

/** Memory assumed for products whose memory was never disclosed (Alibaba trace codes G1/G2/G3): 32 GiB. */
export const UNKNOWN_PRODUCT_MEMORY_MIB = 32768;

type SpecRow = Omit<GpuProductSpec, 'name' | 'mig' | 'memoryKnown'> & { readonly memoryKnown?: boolean };

const sxm = (memoryMiB: number, nvlinkBonds: number, boardPreset: string | null, boardGpus: number | null): SpecRow =>
  ({ memoryMiB, formFactor: 'sxm', nvlinkBonds, boardPreset, boardGpus });
const pcie = (memoryMiB: number, memoryKnown = true): SpecRow =>
  ({ memoryMiB, memoryKnown, formFactor: 'pcie', nvlinkBonds: null, boardPreset: null, boardGpus: null });

// Memory: the MiB `nvidia-smi` prints. B200 and GH200 use nominal sizes (180 / 96 GiB), GB200 the 186 GB part.
const ROWS: readonly (readonly [string, SpecRow])[] = [
  ['A100-40GB', sxm(40960, 12, 'dgx-a100-8x-sxm', 8)],
  ['A100-80GB', sxm(81920, 12, 'dgx-a100-8x-sxm', 8)],
  ['H100-80GB', sxm(81559, 18, 'hgx-h100-8x-sxm', 8)],
  ['H100-94GB', pcie(95830)],
  ['GH200', sxm(98304, 18, null, null)],
  ['H200-141GB', sxm(143771, 18, 'hgx-h200-8x-sxm', 8)],
  ['B200', sxm(184320, 18, 'hgx-b200-8x', 8)],
  ['GB200', sxm(189471, 18, 'gb200-nvl72-node', 4)],
  ['L40S', pcie(46068)],
  ['L4', pcie(23034)],
  ['T4', pcie(15360)],
  ['A10', pcie(23028)],
  // Alibaba GPU trace 2023 models; their boards are unknown, so they are modelled as PCIe.
  ['P100', pcie(16280)],
  ['V100M16', pcie(16160)],
  ['V100M32', pcie(32510)],
  ['G1', pcie(UNKNOWN_PRODUCT_MEMORY_MIB, false)],
  ['G2', pcie(UNKNOWN_PRODUCT_MEMORY_MIB, false)],
  ['G3', pcie(UNKNOWN_PRODUCT_MEMORY_MIB, false)],
];

const SPECS: ReadonlyMap<string, GpuProductSpec> = new Map(ROWS.map(([name, row]) => [name, Object.freeze({
  name, memoryKnown: true, ...row, mig: migProfilesFor(name).length > 0,
})]));

/** Every canonical product Tessera knows, in table order. */
export function knownProducts(): readonly string[] {
  return [...SPECS.keys()];
}

/** Facts about canonical product `name`, or null when it is not in the table (use node labels instead). */
export function productSpec(name: string): GpuProductSpec | null {
  return SPECS.get(name) ?? null;
}

/** Splits a label into upper-case tokens without vendor prefixes and GFD suffixes (`-MIG-…`, `-SHARED`). */
function tokens(label: string): string[] {
  const parts = label.trim().toUpperCase().split(/[-_\s]+/).filter((t) => t !== '');
  const mig = parts.indexOf('MIG');
  const kept = mig > 0 ? parts.slice(0, mig) : parts;
  if (kept.at(-1) === 'SHARED') kept.pop();
  while (kept[0] === 'NVIDIA' || kept[0] === 'TESLA') kept.shift();
  return kept;
}

/** The `<n>GB` memory token of a label, if any. */
function memoryToken(parts: readonly string[]): string | null {
  return parts.find((t) => /^\d+GB$/.test(t)) ?? null;
}

/** Model families whose canonical name is the family itself whatever the suffixes (PCIe, SXM, memory). */
const SAME_NAME: ReadonlySet<string> = new Set(['GB200', 'B200', 'L40S', 'L4', 'T4', 'A10', 'P100', 'V100M16', 'V100M32', 'G1', 'G2', 'G3']);

/**
 * Canonical product for a GFD `nvidia.com/gpu.product` value, a trace model code or a plain name:
 * `NVIDIA-A100-SXM4-80GB` -> `A100-80GB`, `NVIDIA-H100-80GB-HBM3` -> `H100-80GB`, `Tesla-T4` -> `T4`,
 * `NVIDIA-H200` -> `H200-141GB`. Case-insensitive; `-MIG-<profile>` and `-SHARED` suffixes are ignored.
 * Unknown strings map to themselves, trimmed.
 */
export function canonicalProduct(label: string): string {
  const parts = tokens(label);
  const family = parts[0];
  if (family === undefined) return label.trim();
  const mem = memoryToken(parts);
  if (SAME_NAME.has(family)) return family;
  switch (family) {
    case 'GH200':
      // The 144 GB HBM3e part has H200-sized MIG profiles; it has no table here, so it stays distinct.
      return parts.some((t) => t.startsWith('144G') || t === 'HBM3E') ? 'GH200-144GB' : 'GH200';
    case 'A100':
      if (mem === null || mem === '40GB') return 'A100-40GB';
      if (mem === '80GB') return 'A100-80GB';
      break;
    case 'H100':
      if (mem === '94GB' || (mem === null && parts.includes('NVL'))) return 'H100-94GB';
      if (mem === null || mem === '80GB') return 'H100-80GB';
      break;
    case 'H200':
      if (mem === null || mem === '141GB') return 'H200-141GB';
      break;
    case 'V100':
      if (mem === '32GB') return 'V100M32';
      if (mem === null || mem === '16GB') return 'V100M16';
      break;
  }
  return label.trim();
}

/**
 * Form factor for a raw GFD product label: `PCIE` or `NVL` in the label means PCIe cards, `SXM` means SXM
 * modules; otherwise the canonical product's usual form factor, and PCIe for unknown products.
 */
export function formFactorOf(label: string): FormFactor {
  const parts = tokens(label);
  if (parts.some((t) => t === 'PCIE' || t === 'NVL')) return 'pcie';
  if (parts.some((t) => t.startsWith('SXM'))) return 'sxm';
  return productSpec(canonicalProduct(label))?.formFactor ?? 'pcie';
}

/**
 * True when `product` (canonical) is one of the `allowed` models (`tessera.io/gpu-model`). Case-insensitive;
 * an entry matches the product itself, any product it prefixes up to a dash (`H100` matches `H100-80GB`
 * and `H100-94GB`, `V100` matches `V100M32`; `A10` does not match `A100-40GB`) or, as a GFD label, canonicalises to it.
 * An empty list allows every product.
 */
export function modelMatches(allowed: readonly string[], product: string): boolean {
  if (allowed.length === 0) return true;
  const p = product.trim().toUpperCase();
  return allowed.some((entry) => {
    const a = entry.trim().toUpperCase();
    if (a === '') return false;
    if (a === p || p.startsWith(`${a}-`)) return true;
    // Trace codes: `V100` covers `V100M16` and `V100M32`.
    if (p.startsWith(a) && /^M\d+$/.test(p.slice(a.length))) return true;
    return canonicalProduct(entry).toUpperCase() === p;
  });
}
