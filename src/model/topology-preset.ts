import type { FormFactor } from './gpu-product.js';
import { canonicalProduct, productSpec } from './gpu-product.js';
import type { GpuLink, LinkMatrix } from './link-matrix.js';
import { parseNvidiaSmiTopo } from './parse-nvidia-smi-topo.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';

/** A named node topology (topology/presets/<name>.txt) that nodes select with `tessera.io/topology-preset`. */
export interface TopologyPreset {
  readonly name: string;
  /** Canonical product of the board (see gpu-product.ts). */
  readonly product: string;
  readonly gpuCount: number;
  /** Memory per GPU, MiB. */
  readonly memoryMiB: number;
  readonly links: LinkMatrix;
  /** NUMA node per GPU, null when unknown. */
  readonly numaNodes: readonly (number | null)[];
  /** True when the node's GPUs share an NVLink domain with other nodes (GB200 NVL72; `nvidia.com/gpu.clique`). */
  readonly clique?: boolean;
  /** One line for humans (docs, `topologySource`). */
  readonly description?: string;
}

/** Presets by name. */
export type PresetCatalog = ReadonlyMap<string, TopologyPreset>;

/** Inputs of `buildPresetCatalog`: the parsed topology/presets/index.json and the text of the files it names. */
export interface PresetCatalogSource {
  /** `{ "<name>": { product, gpuCount, memoryMiB, file, clique?, description? } }`, untrusted. */
  readonly index: unknown;
  /** File name (as in `file`) -> `nvidia-smi topo -m` text. */
  readonly files: Readonly<Record<string, string>>;
}

const PRESET_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Validates the preset index and parses every preset's matrix. Errors carry paths such as
 * `index["t4-2x"].gpuCount` or `t4-2x.txt:GPU0.GPU1`; the catalog is returned only when every preset is valid.
 */
export function buildPresetCatalog(source: PresetCatalogSource): ParseResult<PresetCatalog> {
  const errors: ParseIssue[] = [];
  const { index, files } = source;
  if (typeof index !== 'object' || index === null || Array.isArray(index)) {
    return failed([{ path: 'index', message: 'cannot read the preset index: expected an object of preset name -> entry' }]);
  }
  const catalog = new Map<string, TopologyPreset>();
  for (const [name, raw] of Object.entries(index as Record<string, unknown>)) {
    const at = `index[${JSON.stringify(name)}]`;
    const bad = (field: string, message: string): void => { errors.push({ path: `${at}.${field}`, message }); };
    if (!PRESET_NAME.test(name)) {
      errors.push({ path: at, message: `cannot use preset name "${name}": expected lower-case letters, digits and dashes` });
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push({ path: at, message: 'cannot read the preset entry: expected an object' });
      continue;
    }
    const e = raw as Record<string, unknown>;
    const before = errors.length;
    const { product, gpuCount, memoryMiB, file, clique, description } = e;
    if (typeof product !== 'string' || product.trim() === '') bad('product', `cannot read product ${JSON.stringify(product)}: expected a canonical product name`);
    else if (canonicalProduct(product) !== product) bad('product', `cannot use product "${product}": the canonical name is "${canonicalProduct(product)}"`);
    if (!Number.isInteger(gpuCount) || (gpuCount as number) < 1) bad('gpuCount', `cannot read gpuCount ${JSON.stringify(gpuCount)}: expected an integer >= 1`);
    if (!Number.isInteger(memoryMiB) || (memoryMiB as number) < 1) bad('memoryMiB', `cannot read memoryMiB ${JSON.stringify(memoryMiB)}: expected an integer >= 1`);
    if (clique !== undefined && typeof clique !== 'boolean') bad('clique', `cannot read clique ${JSON.stringify(clique)}: expected true or false`);
    if (description !== undefined && typeof description !== 'string') bad('description', `cannot read description ${JSON.stringify(description)}: expected a string`);
    if (typeof file !== 'string') {
      bad('file', `cannot read file ${JSON.stringify(file)}: expected a file name`);
      continue;
    }
    const text = files[file];
    if (text === undefined) {
      bad('file', `cannot read preset file "${file}": it is not there`);
      continue;
    }
    const topo = parseNvidiaSmiTopo(text);
    if (!topo.ok) {
      for (const issue of topo.errors) errors.push({ path: `${file}:${issue.path}`, message: issue.message });
      continue;
    }
    if (Number.isInteger(gpuCount) && topo.value.gpuCount !== gpuCount) {
      bad('gpuCount', `cannot accept gpuCount ${String(gpuCount)}: "${file}" has ${topo.value.gpuCount} GPUs`);
    }
    if (errors.length > before) continue;
    catalog.set(name, Object.freeze({
      name, product: product as string, gpuCount: topo.value.gpuCount, memoryMiB: memoryMiB as number,
      links: topo.value.links, numaNodes: topo.value.numaNodes, clique: clique === true,
      ...(typeof description === 'string' ? { description } : {}),
    }));
  }
  return errors.length > 0 ? failed(errors) : parsed(catalog);
}

/** Hints that refine inference, e.g. the form factor read from the raw GFD label (`formFactorOf`). */
export interface InferenceHints {
  readonly formFactor?: FormFactor;
}

/** The topology chosen for a node without an explicit preset or matrix, and why. */
export interface InferredTopology {
  /** A catalog preset (with the node's product and memory) or a generated `inferred-pcie-<n>x` preset. */
  readonly preset: TopologyPreset;
  /** Human explanation of what was used, e.g. `preset "hgx-h100-8x-sxm": 8x H100-80GB SXM is an NVSwitch board`. */
  readonly source: string;
}

const link = (level: GpuLink['level'], bonds = 0): GpuLink => ({ level, bonds });

/**
 * A PCIe-only matrix for `n` GPUs: GPUs split into two NUMA halves when n >= 4 (one NUMA node below);
 * within a half, GPUs 2k and 2k+1 share a switch (PIX) and others meet at the socket (NODE); SYS across halves.
 */
export function generatedPcieMatrix(n: number): { links: LinkMatrix; numaNodes: (number | null)[] } {
  const half = n >= 4 ? Math.ceil(n / 2) : n;
  const numaNodes = Array.from({ length: n }, (_, i) => (i < half ? 0 : 1));
  const links = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    if (i === j) return link('X');
    if (numaNodes[i] !== numaNodes[j]) return link('SYS');
    return Math.floor(i / 2) === Math.floor(j / 2) ? link('PIX') : link('NODE');
  }));
  return { links, numaNodes };
}

/**
 * Topology for a node known only by GFD labels (`nvidia.com/gpu.product`, `nvidia.com/gpu.count`).
 * Sound inference only: a full SXM board of a known product (8x A100/H100/H200/B200, 4x GB200) gets the
 * vendor's NVSwitch preset; everything else (PCIe cards, unknown products, partial boards) gets
 * `generatedPcieMatrix`. `hints.formFactor` (from the raw label) overrides the product's usual form factor,
 * so 8x `NVIDIA-A100-PCIE-40GB` is PCIe.
 */
export function inferTopology(product: string, gpuCount: number, catalog: PresetCatalog, hints: InferenceHints = {}): InferredTopology {
  const spec = productSpec(product);
  const formFactor = hints.formFactor ?? spec?.formFactor ?? 'pcie';
  // 0 = unknown: the caller takes `nvidia.com/gpu.memory` instead.
  const memoryMiB = spec?.memoryMiB ?? 0;
  const board = spec?.boardPreset ?? null;
  if (formFactor === 'sxm' && board !== null && gpuCount === spec?.boardGpus) {
    const preset = catalog.get(board);
    if (preset !== undefined && preset.gpuCount === gpuCount) {
      return {
        preset: { ...preset, product, memoryMiB },
        source: `preset "${board}": ${gpuCount}x ${product} SXM is the vendor's NVSwitch board`,
      };
    }
  }
  const { links, numaNodes } = generatedPcieMatrix(gpuCount);
  const why = spec === null ? `unknown product "${product}"`
    : formFactor === 'pcie' ? `${product} is PCIe`
      : board === null || spec.boardGpus === null ? `${product} has no NVSwitch board preset`
        : gpuCount !== spec.boardGpus ? `${gpuCount}x ${product} SXM is not a full ${spec.boardGpus}-GPU board`
          : `preset "${board}" is not in the catalog`;
  return {
    preset: {
      name: `inferred-pcie-${gpuCount}x`, product, gpuCount, memoryMiB, links, numaNodes, clique: false,
      description: `generated PCIe matrix: ${why}`,
    },
    source: `inferred-pcie-${gpuCount}x: ${why}, assuming PCIe (PIX pairs, NODE within a NUMA half, SYS across)`,
  };
}
