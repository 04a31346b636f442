import { parseDeviceTaints } from './device-taints.js';
import type { DeviceTaint, GpuDevice, MigInstance, SharingPolicy } from './gpu-device.js';
import type { FormFactor } from './gpu-product.js';
import { canonicalProduct, formFactorOf, productSpec } from './gpu-product.js';
import type { LinkMatrix } from './link-matrix.js';
import { freeMigStarts, migLayoutError, migProfile, migProfilesFor } from './mig-profiles.js';
import type { NodeInventory } from './node-inventory.js';
import { parseNvidiaSmiTopo } from './parse-nvidia-smi-topo.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';
import type { InventoryParseMemo } from './inventory-parse-memo.js';
import type { PriceTable } from './price-table.js';
import { lookupPrice, readHourlyPrice } from './price-table.js';
import { bytesToMiB, describeType, isWholeQuantity, parseQuantity, quantityToMilli, scaleQuantity } from './quantity.js';
import { capacityTypeFromLabels } from './spot.js';
import type { PresetCatalog } from './topology-preset.js';
import { inferTopology } from './topology-preset.js';
import { ANNOTATION, LABEL, RESOURCE } from './well-known-names.js';

/**
 * Structural subset of a core/v1 Node: `metadata.name/labels/annotations` and `status.allocatable`
 * (falling back to `status.capacity` per resource, as Kubernetes defaults allocatable). A `V1Node` from
 * @kubernetes/client-node is assignable to it; `status` is read defensively because it is untrusted.
 */
export interface NodeLike {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly status?: object;
}

/**
 * What `inventoryFromNode` needs besides the node: the topology presets, the price table and, optionally, the
 * caller's memo of parsing results (without one nothing is memoized; results are the same).
 */
export interface InventoryContext {
  readonly presets: PresetCatalog;
  readonly priceTable: PriceTable;
  readonly memo?: InventoryParseMemo;
}

/** Most GPUs a node may declare; more is taken as a malformed label. */
export const MAX_GPUS_PER_NODE_LABEL = 64;
/** Most time-slice replicas per GPU accepted in `tessera.io/gpu-sharing`. */
export const MAX_TIME_SLICE_REPLICAS = 64;
/** Product used when a node has GPUs but no `nvidia.com/gpu.product` label or preset. */
export const UNKNOWN_PRODUCT = 'unknown';

const FRACTIONAL: SharingPolicy = Object.freeze({ mode: 'fractional' });
const EXCLUSIVE: SharingPolicy = Object.freeze({ mode: 'exclusive' });
const MIG_DYNAMIC: SharingPolicy = Object.freeze({ mode: 'mig', layout: 'dynamic' });
const NO_TAINTS: readonly DeviceTaint[] = Object.freeze([]);
const INT_RE = /^\d+$/;

/** `metadata.labels["nvidia.com/gpu.count"]`-style path. */
function keyPath(base: string, key: string): string {
  return `${base}[${JSON.stringify(key)}]`;
}

/** Path of an annotation. */
function annPath(key: string): string {
  return keyPath('metadata.annotations', key);
}

/** Path of a label. */
function labelPath(key: string): string {
  return keyPath('metadata.labels', key);
}

/** A string map (labels or annotations); non-string values are reported and skipped. */
function readStringMap(x: unknown, path: string, errors: ParseIssue[]): Readonly<Record<string, string>> {
  if (x === undefined || x === null) return {};
  if (typeof x !== 'object' || Array.isArray(x)) {
    errors.push({ path, message: `cannot read ${path}: expected an object, got ${describeType(x)}` });
    return {};
  }
  const rec = x as Record<string, unknown>;
  let clean: Record<string, string> | null = null;
  for (const k in rec) {
    if (typeof rec[k] === 'string') continue;
    errors.push({ path: keyPath(path, k), message: `cannot read ${path}: expected a string, got ${describeType(rec[k])}` });
    clean ??= {};
  }
  if (clean !== null) {
    for (const [k, v] of Object.entries(rec)) if (typeof v === 'string') clean[k] = v;
    return clean;
  }
  return rec as Record<string, string>;
}

/** A non-negative integer label, or null when absent; reports malformed values. */
function readCountLabel(labels: Readonly<Record<string, string>>, key: string, errors: ParseIssue[]): number | null {
  const v = labels[key];
  if (v === undefined) return null;
  const t = v.trim();
  if (!INT_RE.test(t) || t.length > 9) {
    errors.push({ path: keyPath('metadata.labels', key), message: `cannot read ${key} ${JSON.stringify(v)}: expected a whole number` });
    return null;
  }
  return Number(t);
}

/** Resource `name` from status.allocatable, else status.capacity; undefined when neither has it. */
function statusResource(status: Readonly<Record<string, unknown>> | null, name: string): { value: unknown; field: 'allocatable' | 'capacity' } | undefined {
  if (status === null) return undefined;
  for (const field of STATUS_FIELDS) {
    const m = status[field];
    if (typeof m === 'object' && m !== null && !Array.isArray(m)) {
      const v = (m as Record<string, unknown>)[name];
      if (v !== undefined && v !== null) return { value: v, field };
    }
  }
  return undefined;
}

const STATUS_FIELDS = ['allocatable', 'capacity'] as const;

/** Fills a GPU with `profile` instances at legal starts, first free start first, until none fits. */
function fillWith(product: string, profile: string, into: MigInstance[]): void {
  const p = migProfile(product, profile);
  if (p === null) return;
  for (;;) {
    const start = freeMigStarts(product, into, profile)[0];
    if (start === undefined) return;
    into.push({ profile, start, size: p.memorySlices });
  }
}

/**
 * Places `profiles` on one GPU of `product` at legal starts; returns the layout (sorted by start) or why it
 * cannot. A small depth-first search, largest placement first and identical profiles at increasing starts,
 * so `1g,1g,2g,3g` finds 1g@0 1g@1 2g@2 3g@4 where first-fit would put 3g at 0 and strand slice 7.
 */
export function placeMigLayout(product: string, profiles: readonly string[]): readonly MigInstance[] | string {
  if (migProfilesFor(product).length === 0) return `product "${product}" does not support MIG`;
  const resolved = [];
  for (const name of profiles) {
    const p = migProfile(product, name);
    if (p === null) {
      return `profile "${name}" does not exist on ${product} (known: ${migProfilesFor(product).map((x) => x.name).join(', ')})`;
    }
    resolved.push(p);
  }
  const order = resolved.map((p, i) => ({ p, i })).sort((a, b) => b.p.memorySlices - a.p.memorySlices || a.p.id - b.p.id || a.i - b.i);
  const layout: MigInstance[] = [];
  const search = (k: number): boolean => {
    const item = order[k];
    if (item === undefined) return true;
    const prev = layout[k - 1];
    const minStart = prev !== undefined && prev.profile === item.p.name ? prev.start + 1 : 0;
    for (const start of freeMigStarts(product, layout, item.p.name)) {
      if (start < minStart) continue;
      layout.push({ profile: item.p.name, start, size: item.p.memorySlices });
      if (search(k + 1)) return true;
      layout.pop();
    }
    return false;
  };
  if (!search(0)) {
    return `no legal placement of ${profiles.join(', ')} exists on one ${product} (check compute slices, per-profile maximums and start positions)`;
  }
  const sorted = [...layout].sort((a, b) => a.start - b.start);
  return migLayoutError(product, sorted) ?? sorted;
}

/**
 * Layout for a MIG-manager config name (`nvidia.com/mig.config`): `all-<profile>` fills every GPU with that
 * profile; `all-balanced` is mig-parted's 2x 1g + 1x 2g + 1x 3g; null for `all-disabled` (no MIG);
 * a string explains a name Tessera cannot expand. `memo` keeps the result by input.
 */
export function migConfigLayout(product: string, config: string, memo?: InventoryParseMemo): readonly MigInstance[] | null | string {
  return memoized(memo, `config\u0000${product}\u0000${config}`, () => expandMigConfig(product, config));
}

/** `canonicalProduct` and `formFactorOf` of a GFD product label, memoized in `memo`: a fleet has a handful of labels. */
function productOfLabel(label: string, memo: InventoryParseMemo | undefined): { readonly product: string; readonly formFactor: FormFactor } {
  const compute = (): { readonly product: string; readonly formFactor: FormFactor } =>
    Object.freeze({ product: canonicalProduct(label), formFactor: formFactorOf(label) });
  return memo === undefined ? compute() : memo.product(label, compute);
}

/** `parseDeviceTaints`, memoized by text and GPU count (the result is immutable and shared by GPUs of many nodes). */
function parseTaintText(text: string, count: number, memo: InventoryParseMemo | undefined): ReturnType<typeof parseDeviceTaints> {
  return memoized(memo, `taints\u0000${count}\u0000${text}`, () => parseDeviceTaints(text, count, annPath(ANNOTATION.gpuTaints)));
}

/** `parseNvidiaSmiTopo`, memoized by text (identical nodes publish identical matrices). */
function parseTopoText(text: string, memo: InventoryParseMemo | undefined): ReturnType<typeof parseNvidiaSmiTopo> {
  return memoized(memo, `topo\u0000${text}`, () => parseNvidiaSmiTopo(text));
}

/** A pure computation's result, frozen (it may be shared across nodes), kept in `memo` by key when there is one. */
function memoized<T>(memo: InventoryParseMemo | undefined, key: string, compute: () => T): T {
  const frozen = (): T => {
    const v = compute();
    return typeof v === 'object' && v !== null ? Object.freeze(v) : v;
  };
  return memo === undefined ? frozen() : memo.parse(key, frozen);
}

/** `migConfigLayout` without the memo. */
function expandMigConfig(product: string, config: string): readonly MigInstance[] | null | string {
  if (config === 'all-disabled') return null;
  const profiles = migProfilesFor(product);
  if (profiles.length === 0) return `product "${product}" does not support MIG`;
  if (config === 'all-balanced') {
    const byId = (id: number): string => profiles.find((p) => p.id === id)?.name ?? '';
    return placeMigLayout(product, [byId(9), byId(14), byId(19), byId(19)]);
  }
  if (config.startsWith('all-')) {
    const profile = config.slice(4);
    if (migProfile(product, profile) === null) {
      return `profile "${profile}" does not exist on ${product} (known: ${profiles.map((x) => x.name).join(', ')})`;
    }
    const layout: MigInstance[] = [];
    fillWith(product, profile, layout);
    return layout;
  }
  return `custom MIG config "${config}" cannot be expanded: set ${ANNOTATION.gpuSharing} to "mig:<profile>,…"`;
}

/**
 * Parses `tessera.io/gpu-sharing`:
 * `fractional` | `exclusive` | `time-sliced:<replicas>` | `mig:dynamic` | `mig:<profile>{,<profile>}`.
 * A fixed MIG list is one GPU's layout, applied to every GPU, placed at legal starts. `memo` keeps the result by input.
 */
export function parseGpuSharing(text: string, product: string, memo?: InventoryParseMemo): SharingPolicy | string {
  return memoized(memo, `sharing\u0000${product}\u0000${text}`, () => readGpuSharing(text, product));
}

/** `parseGpuSharing` without the memo. */
function readGpuSharing(text: string, product: string): SharingPolicy | string {
  const t = text.trim();
  if (t === 'fractional') return FRACTIONAL;
  if (t === 'exclusive') return EXCLUSIVE;
  if (t.startsWith('time-sliced:')) {
    const r = t.slice('time-sliced:'.length).trim();
    const n = Number(r);
    if (!INT_RE.test(r) || n < 1 || n > MAX_TIME_SLICE_REPLICAS) {
      return `expected "time-sliced:<replicas>" with 1..${MAX_TIME_SLICE_REPLICAS} replicas, got "${r}"`;
    }
    return { mode: 'time-sliced', replicas: n };
  }
  if (t.startsWith('mig:')) {
    const rest = t.slice('mig:'.length).trim();
    if (migProfilesFor(product).length === 0) return `product "${product}" does not support MIG`;
    if (rest === 'dynamic') return MIG_DYNAMIC;
    const names = rest.split(',').map((s) => s.trim());
    if (names.some((s) => s === '')) return 'expected "mig:dynamic" or "mig:<profile>,<profile>,…" with no empty profile';
    const layout = placeMigLayout(product, names);
    return typeof layout === 'string' ? `cannot lay out "${rest}" on ${product}: ${layout}` : { mode: 'mig', layout };
  }
  return 'expected fractional, exclusive, time-sliced:<replicas>, mig:dynamic or mig:<profile>,<profile>,…';
}

/**
 * Per-GPU MIG layout of a mixed-strategy node from GFD's `nvidia.com/mig-<profile>.count` labels (node totals):
 * each total must divide evenly over the GPUs and the per-GPU set must be a legal layout. null when the node
 * advertises no MIG devices (MIG disabled: whole GPUs).
 */
function mixedMigLayout(labels: Readonly<Record<string, string>>, product: string, gpus: number): readonly MigInstance[] | null | string {
  const perGpu: string[] = [];
  for (const key in labels) {
    const m = /^nvidia\.com\/mig-(.+)\.count$/.exec(key);
    if (m?.[1] === undefined) continue;
    const text = labels[key] ?? '';
    const total = INT_RE.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(total)) return `label ${key} ${JSON.stringify(text)} is not a whole number`;
    if (total % gpus !== 0) {
      return `${total} "${m[1]}" instances do not divide evenly over ${gpus} GPUs: set ${ANNOTATION.gpuSharing} to "mig:<profile>,…" or label ${LABEL.migConfig}`;
    }
    for (let i = 0; i < total / gpus; i++) perGpu.push(m[1]);
  }
  if (perGpu.length === 0) return null;
  const layout = placeMigLayout(product, perGpu);
  return typeof layout === 'string' ? `the advertised instances ${perGpu.join(', ')} per GPU: ${layout}` : layout;
}

/** Topology chosen for a node: links, NUMA per GPU and a display name; memoized for inferred boards. */
interface NodeTopology {
  readonly links: LinkMatrix;
  readonly numaNodes: readonly (number | null)[];
  readonly source: string;
  readonly product: string | null;
  readonly memoryMiB: number;
}

/** `inferTopology`, memoized in `memo` per catalog (5,000 identical nodes share one matrix; results are immutable). */
function inferred(product: string, count: number, productLabel: string | undefined, catalog: PresetCatalog, memo: InventoryParseMemo | undefined): NodeTopology {
  const formFactor = productLabel === undefined ? undefined : productOfLabel(productLabel, memo).formFactor;
  const compute = (): NodeTopology => {
    const t = inferTopology(product, count, catalog, formFactor === undefined ? {} : { formFactor });
    const name = t.preset.name.startsWith('inferred-') ? t.preset.name : `inferred-${t.preset.name}`;
    return {
      links: t.preset.links, numaNodes: t.preset.numaNodes, source: name, product: null,
      memoryMiB: t.preset.memoryMiB,
    };
  };
  return memo === undefined ? compute() : memo.inferredTopology(catalog, `${product}\u0000${count}\u0000${formFactor ?? ''}`, compute);
}

/**
 * Reads a node's inventory from GPU Feature Discovery labels, Tessera's annotations and status.allocatable.
 * docs/model.md documents every label and annotation with grammar and defaults. Never throws; a node
 * without GPU labels is a valid inventory with 0 GPUs.
 */
export function inventoryFromNode(node: NodeLike, ctx: InventoryContext): ParseResult<NodeInventory> {
  const errors: ParseIssue[] = [];
  const memo = ctx.memo;
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    return failed([{ path: '', message: `cannot read node: expected an object, got ${describeType(node)}` }]);
  }
  const metaRaw = (node as { metadata?: unknown }).metadata;
  const meta = typeof metaRaw === 'object' && metaRaw !== null && !Array.isArray(metaRaw) ? (metaRaw as Record<string, unknown>) : null;
  const name = meta?.name;
  if (typeof name !== 'string' || name === '') {
    return failed([{ path: 'metadata.name', message: `cannot read node name: expected a non-empty string, got ${describeType(name)}` }]);
  }
  const labels = readStringMap(meta?.labels, 'metadata.labels', errors);
  const ann = readStringMap(meta?.annotations, 'metadata.annotations', errors);
  const statusRaw = (node as { status?: unknown }).status;
  const status = typeof statusRaw === 'object' && statusRaw !== null && !Array.isArray(statusRaw) ? (statusRaw as Record<string, unknown>) : null;

  // Product and count from GFD; `-MIG-<profile>` product labels come from the single MIG strategy.
  const productLabel = labels[LABEL.gpuProduct];
  const migStrategy = labels[LABEL.migStrategy];
  let singleMigProfile: string | null = null;
  if (productLabel !== undefined && migStrategy === 'single') {
    const m = /-MIG-(\d+g\.\d+gb.*)$/i.exec(productLabel);
    if (m?.[1] !== undefined) singleMigProfile = m[1].toLowerCase();
  }
  let product = productLabel === undefined ? null : productOfLabel(productLabel, memo).product;
  let count = readCountLabel(labels, LABEL.gpuCount, errors);
  let memoryMiB = singleMigProfile === null ? readCountLabel(labels, LABEL.gpuMemory, errors) : null;
  if (count === null) {
    const alloc = statusResource(status, RESOURCE.nvidiaGpu);
    if (alloc !== undefined) {
      const q = parseQuantity(alloc.value);
      if (!q.ok || q.value.negative || !isWholeQuantity(q.value)) {
        errors.push({ path: keyPath(`status.${alloc.field}`, RESOURCE.nvidiaGpu), message: `cannot read ${RESOURCE.nvidiaGpu} ${JSON.stringify(alloc.value)}: expected a whole number of GPUs` });
      } else {
        count = scaleQuantity(q.value, 1n, 1n, 'floor');
      }
    }
  }
  // Single strategy counts MIG devices, not GPUs: one GPU holds a full layout of the advertised profile.
  if (singleMigProfile !== null && count !== null && product !== null) {
    const perGpu: MigInstance[] = [];
    fillWith(product, singleMigProfile, perGpu);
    if (perGpu.length === 0) {
      errors.push({ path: labelPath(LABEL.gpuProduct), message: `cannot read MIG product ${JSON.stringify(productLabel)}: profile "${singleMigProfile}" does not exist on ${product}` });
    } else {
      count = Math.ceil(count / perGpu.length);
    }
  }

  // Topology: raw matrix > named preset > inference from product and count.
  let topo: NodeTopology | null = null;
  const topoText = ann[ANNOTATION.nvidiaSmiTopo];
  const presetName = ann[ANNOTATION.topologyPreset];
  if (topoText !== undefined) {
    const r = parseTopoText(topoText, memo);
    if (!r.ok) {
      for (const e of r.errors) errors.push({ path: annPath(ANNOTATION.nvidiaSmiTopo), message: `cannot parse nvidia-smi topo -m text at ${e.path}: ${e.message}` });
    } else if (count !== null && r.value.gpuCount !== count) {
      errors.push({ path: annPath(ANNOTATION.nvidiaSmiTopo), message: `cannot use the topology matrix: it has ${r.value.gpuCount} GPUs but the node has ${count} (${LABEL.gpuCount} or allocatable ${RESOURCE.nvidiaGpu})` });
    } else {
      count = r.value.gpuCount;
      topo = { links: r.value.links, numaNodes: r.value.numaNodes, source: 'matrix', product: null, memoryMiB: 0 };
    }
  } else if (presetName !== undefined) {
    const preset = ctx.presets.get(presetName.trim());
    if (preset === undefined) {
      errors.push({ path: annPath(ANNOTATION.topologyPreset), message: `unknown topology preset ${JSON.stringify(presetName)}: expected one of ${[...ctx.presets.keys()].sort().join(', ')}` });
    } else if (count !== null && preset.gpuCount !== count) {
      errors.push({ path: annPath(ANNOTATION.topologyPreset), message: `cannot use preset "${preset.name}": it has ${preset.gpuCount} GPUs but the node has ${count}` });
    } else {
      count = preset.gpuCount;
      topo = { links: preset.links, numaNodes: preset.numaNodes, source: preset.name, product: preset.product, memoryMiB: preset.memoryMiB };
    }
  }
  count ??= 0;
  if (count > MAX_GPUS_PER_NODE_LABEL) {
    errors.push({ path: labelPath(LABEL.gpuCount), message: `cannot accept ${count} GPUs on one node: at most ${MAX_GPUS_PER_NODE_LABEL}` });
    count = 0;
  }
  if (product === null && count > 0) product = topo?.product ?? UNKNOWN_PRODUCT;
  const gpuProduct = product ?? UNKNOWN_PRODUCT;
  if (topo === null && count > 0 && errors.length === 0) topo = inferred(gpuProduct, count, productLabel, ctx.presets, memo);
  memoryMiB ??= productSpec(gpuProduct)?.memoryMiB ?? (topo !== null && topo.memoryMiB > 0 ? topo.memoryMiB : 0);

  // Sharing: explicit annotation > GFD / MIG-manager labels > fractional.
  let sharing: SharingPolicy = FRACTIONAL;
  const sharingText = ann[ANNOTATION.gpuSharing];
  if (sharingText !== undefined) {
    const s = parseGpuSharing(sharingText, gpuProduct, memo);
    if (typeof s === 'string') errors.push({ path: annPath(ANNOTATION.gpuSharing), message: `cannot read GPU sharing ${JSON.stringify(sharingText)}: ${s}` });
    else sharing = s;
  } else if (count > 0) {
    const config = labels[LABEL.migConfig] ?? (singleMigProfile !== null ? `all-${singleMigProfile}` : undefined);
    if (config !== undefined) {
      const layout = migConfigLayout(gpuProduct, config, memo);
      if (typeof layout === 'string') errors.push({ path: labelPath(LABEL.migConfig), message: `cannot use MIG config ${JSON.stringify(config)}: ${layout}` });
      else if (layout !== null) sharing = { mode: 'mig', layout };
    } else if (migStrategy === 'mixed') {
      const mixed = mixedMigLayout(labels, gpuProduct, count);
      if (typeof mixed === 'string') errors.push({ path: labelPath(LABEL.migStrategy), message: `cannot tell the MIG layout of a mixed-strategy node: ${mixed}` });
      else if (mixed !== null) sharing = { mode: 'mig', layout: mixed };
    }
  }

  // Per-GPU uuids and taints.
  let uuids: readonly string[] | null = null;
  const uuidText = ann[ANNOTATION.gpuUuids];
  if (uuidText !== undefined) {
    const list = uuidText.split(',').map((s) => s.trim());
    if (list.length !== count) {
      errors.push({ path: annPath(ANNOTATION.gpuUuids), message: `cannot use ${list.length} GPU uuids: the node has ${count} GPUs` });
    } else if (list.some((u) => u === '')) {
      errors.push({ path: annPath(ANNOTATION.gpuUuids), message: 'cannot use an empty GPU uuid' });
    } else if (new Set(list).size !== list.length) {
      errors.push({ path: annPath(ANNOTATION.gpuUuids), message: 'cannot use duplicate GPU uuids' });
    } else {
      uuids = list;
    }
  }
  let taints: readonly (readonly DeviceTaint[])[] | null = null;
  const taintText = ann[ANNOTATION.gpuTaints];
  if (taintText !== undefined) {
    const r = parseTaintText(taintText, count, memo);
    if (r.ok) taints = r.value;
    else errors.push(...r.errors);
  }

  // Price: annotation > price table.
  const capacityType = capacityTypeFromLabels(labels);
  const instanceType = labels[LABEL.instanceType] ?? null;
  let hourlyPrice = lookupPrice(ctx.priceTable, instanceType, capacityType);
  const priceText = ann[ANNOTATION.hourlyPrice];
  if (priceText !== undefined) {
    const p = readHourlyPrice(priceText);
    if (typeof p === 'string') errors.push({ path: annPath(ANNOTATION.hourlyPrice), message: `cannot read hourly price ${JSON.stringify(priceText)}: ${p}` });
    else hourlyPrice = p;
  }

  // Host resources (0 = not accounted).
  let cpuMilli = 0;
  let hostMemoryMiB = 0;
  const cpu = statusResource(status, RESOURCE.cpu);
  if (cpu !== undefined) {
    const q = parseQuantity(cpu.value);
    const v = q.ok && !q.value.negative ? quantityToMilli(q.value) : null;
    if (v === null) errors.push({ path: keyPath(`status.${cpu.field}`, RESOURCE.cpu), message: `cannot read cpu ${JSON.stringify(cpu.value)}: expected a non-negative quantity` });
    else cpuMilli = v;
  }
  const mem = statusResource(status, RESOURCE.memory);
  if (mem !== undefined) {
    const q = parseQuantity(mem.value);
    const v = q.ok && !q.value.negative ? bytesToMiB(q.value, 'floor') : null;
    if (v === null) errors.push({ path: keyPath(`status.${mem.field}`, RESOURCE.memory), message: `cannot read memory ${JSON.stringify(mem.value)}: expected a non-negative byte quantity` });
    else hostMemoryMiB = v;
  }

  if (errors.length > 0) return failed(errors);
  const numa = topo?.numaNodes ?? [];
  const gpus: GpuDevice[] = new Array<GpuDevice>(count);
  for (let i = 0; i < count; i++) {
    gpus[i] = {
      index: i,
      // normalize() of ASCII text returns it as one flat string: the template alone leaves two concatenation nodes
      // (64 B) per GPU, 5 MiB over 20,000 nodes of 8 GPUs.
      uuid: uuids?.[i] ?? `${name}-gpu${i}`.normalize(),
      product: gpuProduct,
      memoryMiB,
      computeMilli: 1000,
      sharing,
      numaNode: numa[i] ?? null,
      taints: taints?.[i] ?? NO_TAINTS,
    };
  }
  return parsed({
    name,
    gpus,
    links: topo?.links ?? [],
    cpuMilli,
    memoryMiB: hostMemoryMiB,
    capacityType,
    hourlyPrice,
    instanceType,
    clique: labels[LABEL.gpuClique] ?? null,
    rack: labels[LABEL.rack] ?? null,
    zone: labels[LABEL.zone] ?? null,
    topologySource: count === 0 ? 'none' : topo?.source ?? 'none',
  });
}
