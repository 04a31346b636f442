import { canonicalProduct, knownProducts, modelMatches } from './gpu-product.js';
import type { GpuRequest, Toleration, TopologyNeed } from './gpu-request.js';
import { migProducts, migProfilesFor } from './mig-profiles.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';
import { bytesToMiB, describeType, isWholeQuantity, parseQuantity, quantityToMilli, scaleQuantity } from './quantity.js';
import { toleratesSpotTaint } from './spot.js';
import {
  ANNOTATION, NVIDIA_MIG_RESOURCE_PREFIX, RESOURCE, TESSERA_BASE_RESOURCES, TESSERA_MIG_RESOURCE_PREFIX,
} from './well-known-names.js';

/** A container as far as Tessera reads it (structural subset of core/v1 Container). */
export interface ContainerLike {
  readonly name?: string;
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string | number>>;
    readonly limits?: Readonly<Record<string, string | number>>;
  };
  /** `Always` on an init container makes it a sidecar (its requests add to the app containers'). */
  readonly restartPolicy?: string;
}

/** A toleration as it arrives on the wire (operator is any string until validated). */
export interface TolerationLike {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/**
 * Structural subset of a core/v1 Pod; a `V1Pod` from @kubernetes/client-node is assignable to it. The parser
 * reads it defensively (nulls, wrong types) since it comes off the wire.
 */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
    readonly tolerations?: readonly TolerationLike[];
    readonly priority?: number;
    readonly schedulerName?: string;
  };
}

/** Most GPUs (or replicas, or MIG instances) one pod may ask for. */
export const MAX_GPUS_PER_POD = 64;
/** Largest per-GPU memory share accepted (1 TiB), far above any GPU; catches unit mistakes such as bytes as MiB. */
export const MAX_GPU_MEMORY_MIB = 1 << 20;
/** One whole GPU's compute in milli. */
export const FULL_GPU_MILLI = 1000;

const TOPOLOGY_NEEDS: readonly TopologyNeed[] = ['nvlink-required', 'nvlink-preferred', 'numa', 'any'];
const MIG_PROFILE_RE = /^[1-8]g\.\d+gb([+-][a-z]+(\.[a-z]+)?)?$/;
const GROUP_MAX = 253;

/**
 * Every resource name Tessera manages: the fixed ones plus `tessera.io/mig-<profile>` and
 * `nvidia.com/mig-<profile>` for every profile of every MIG-capable product. Deploy lists them as the
 * extender's `managedResources` (with `ignoredByScheduler: true`). Sorted, no duplicates.
 */
export const TESSERA_RESOURCES: readonly string[] = Object.freeze([...new Set([
  ...TESSERA_BASE_RESOURCES,
  // `+me` profiles are left out: Kubernetes refuses `+` in a resource name, so no pod can ask for them that way.
  ...migProducts().flatMap((product) => migProfilesFor(product).filter((p) => !p.name.includes('+')).flatMap((p) => [
    `${TESSERA_MIG_RESOURCE_PREFIX}${p.name}`, `${NVIDIA_MIG_RESOURCE_PREFIX}${p.name}`,
  ])),
])].sort());

/**
 * One `tessera.io/gpu-model` entry as stored in `GpuRequest.models`: a family that covers several known
 * products (`H100`, `A100`, `V100`) stays as written so `modelMatches` keeps matching all of them; anything
 * else (`A100-80GB`, a GFD label such as `NVIDIA-H100-80GB-HBM3`) becomes its canonical product name.
 */
function modelEntry(entry: string): string {
  const covered = knownProducts().filter((k) => modelMatches([entry], k));
  return covered.length > 1 ? entry : canonicalProduct(entry);
}

/** Every MIG profile name of every MIG-capable product Tessera knows. */
const KNOWN_MIG_PROFILES: ReadonlySet<string> = new Set(migProducts().flatMap((product) => migProfilesFor(product).map((p) => p.name)));

/** The unit a resource value converts to, which decides how its quantity is read. */
type Unit = 'count' | 'milli-share' | 'memory-share' | 'cpu' | 'memory';

/** One resource value of one container, converted to its unit. */
interface Amount {
  readonly value: number;
  readonly path: string;
  readonly raw: string;
}

/** The pod-level amount of one resource after combining containers, with where it was first seen. */
interface Combined {
  readonly value: number;
  /** Path and raw text of the first non-zero occurrence (for error messages). */
  readonly path: string;
  readonly raw: string;
  /** True when more than one container contributes. */
  readonly several: boolean;
}

/** Which unit a resource name is read in, or null when Tessera ignores the resource. */
function unitOf(name: string): Unit | null {
  switch (name) {
    case RESOURCE.nvidiaGpu:
    case RESOURCE.gpu:
    case RESOURCE.gpuReplica:
      return 'count';
    case RESOURCE.gpuCompute:
      return 'milli-share';
    case RESOURCE.gpuMemory:
      return 'memory-share';
    case RESOURCE.cpu:
      return 'cpu';
    case RESOURCE.memory:
      return 'memory';
    default:
      return migProfileOf(name) !== null ? 'count' : null;
  }
}

/** The MIG profile named by a `tessera.io/mig-<profile>` or `nvidia.com/mig-<profile>` resource, else null. */
function migProfileOf(name: string): string | null {
  if (name.startsWith(TESSERA_MIG_RESOURCE_PREFIX)) return name.slice(TESSERA_MIG_RESOURCE_PREFIX.length);
  if (name.startsWith(NVIDIA_MIG_RESOURCE_PREFIX)) return name.slice(NVIDIA_MIG_RESOURCE_PREFIX.length);
  return null;
}

/** `metadata.annotations["tessera.io/topology"]`-style path segment for a map key. */
function keyPath(base: string, key: string): string {
  return `${base}[${JSON.stringify(key)}]`;
}

/** The value as a plain record, or null for anything that is not a JSON object. */
function asRecord(x: unknown): Readonly<Record<string, unknown>> | null {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}

/** Converts one resource value to its unit, or records why it cannot. */
function readAmount(name: string, unit: Unit, rawValue: unknown, path: string, errors: ParseIssue[]): Amount | null {
  const raw = typeof rawValue === 'string' ? rawValue : JSON.stringify(rawValue) ?? String(rawValue);
  const q = parseQuantity(rawValue);
  if (!q.ok) {
    errors.push({ path, message: `cannot read ${name} ${JSON.stringify(raw)}: ${q.reason}` });
    return null;
  }
  if (q.value.negative) {
    errors.push({ path, message: `cannot request ${name} ${JSON.stringify(raw)}: the amount is negative` });
    return null;
  }
  let value: number | null;
  switch (unit) {
    case 'count':
    case 'milli-share':
      if (!isWholeQuantity(q.value)) {
        const what = unit === 'count' ? 'a whole number' : 'a whole number of milli-GPU (500 = half a GPU)';
        errors.push({ path, message: `cannot request ${name} ${JSON.stringify(raw)}: must be ${what}` });
        return null;
      }
      value = scaleQuantity(q.value, 1n, 1n, 'floor');
      break;
    case 'memory-share':
      // A plain number is MiB; a number with a unit suffix is bytes.
      if (q.value.suffixKind === 'none' || q.value.suffixKind === 'exponent') {
        if (!isWholeQuantity(q.value)) {
          errors.push({ path, message: `cannot request ${name} ${JSON.stringify(raw)}: a plain number is MiB and must be whole` });
          return null;
        }
        value = scaleQuantity(q.value, 1n, 1n, 'floor');
      } else {
        value = bytesToMiB(q.value, 'ceil');
      }
      break;
    case 'cpu':
      value = quantityToMilli(q.value);
      break;
    case 'memory':
      value = bytesToMiB(q.value, 'ceil');
      break;
  }
  if (value === null) {
    errors.push({ path, message: `cannot request ${name} ${JSON.stringify(raw)}: the amount is too large` });
    return null;
  }
  return { value, path, raw };
}

/** Reads the managed resources of one container: requests, falling back to limits per resource. */
function readContainer(c: unknown, path: string, errors: ParseIssue[]): Map<string, Amount> {
  const out = new Map<string, Amount>();
  const rec = asRecord(c);
  if (rec === null) {
    errors.push({ path, message: `cannot read container: expected an object, got ${describeType(c)}` });
    return out;
  }
  if (rec.resources === undefined || rec.resources === null) return out;
  const resources = asRecord(rec.resources);
  if (resources === null) {
    errors.push({ path: `${path}.resources`, message: `cannot read resources: expected an object, got ${describeType(rec.resources)}` });
    return out;
  }
  const maps: [string, Readonly<Record<string, unknown>>][] = [];
  for (const field of ['requests', 'limits'] as const) {
    const m = resources[field];
    if (m === undefined || m === null) continue;
    const r = asRecord(m);
    if (r === null) {
      errors.push({ path: `${path}.resources.${field}`, message: `cannot read ${field}: expected an object, got ${describeType(m)}` });
      continue;
    }
    maps.push([field, r]);
  }
  // requests first: Kubernetes defaults a missing request to the limit, resource by resource.
  for (const [field, m] of maps) {
    for (const [name, v] of Object.entries(m)) {
      if (out.has(name)) continue;
      const unit = unitOf(name);
      if (unit === null) continue;
      const amount = readAmount(name, unit, v, keyPath(`${path}.resources.${field}`, name), errors);
      if (amount !== null) out.set(name, amount);
    }
  }
  return out;
}

/** A list field (containers, initContainers, tolerations) as an array; records an error for non-arrays. */
function readList(x: unknown, path: string, errors: ParseIssue[]): readonly unknown[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) {
    errors.push({ path, message: `cannot read ${path}: expected a list, got ${describeType(x)}` });
    return [];
  }
  return x;
}

/**
 * Combines containers the way Kubernetes computes a pod's effective request, per resource:
 * `max(max over init containers, sum over app containers + sum over sidecars)`, where an init container
 * with `restartPolicy: Always` is a sidecar that keeps running and so also adds to later init containers.
 */
function combine(app: readonly Map<string, Amount>[], init: readonly { amounts: Map<string, Amount>; sidecar: boolean }[]): Map<string, Combined> {
  const names = new Set<string>();
  for (const m of app) for (const k of m.keys()) names.add(k);
  for (const c of init) for (const k of c.amounts.keys()) names.add(k);
  const out = new Map<string, Combined>();
  for (const name of names) {
    let first: Amount | null = null;
    let contributors = 0;
    const note = (a: Amount | undefined): number => {
      if (a === undefined) return 0;
      if (a.value !== 0 || first === null) {
        if (first === null || first.value === 0) first = a;
        if (a.value !== 0) contributors += 1;
      }
      return a.value;
    };
    let appSum = 0;
    for (const m of app) appSum += note(m.get(name));
    let sidecarSum = 0;
    let initMax = 0;
    for (const c of init) {
      const v = note(c.amounts.get(name));
      if (c.sidecar) {
        sidecarSum += v;
        initMax = Math.max(initMax, sidecarSum);
      } else {
        initMax = Math.max(initMax, sidecarSum + v);
      }
    }
    const f = first as Amount | null;
    if (f === null) continue;
    out.set(name, { value: Math.max(initMax, appSum + sidecarSum), path: f.path, raw: f.raw, several: contributors > 1 });
  }
  return out;
}

/** Human description of a combined amount for error messages: `"2" (spec.containers[0]…)`. */
function describe(name: string, c: Combined): string {
  return c.several ? `${name} ${c.value} (combined over containers)` : `${name} ${JSON.stringify(c.raw)}`;
}

/** Reads the annotation map; non-string values are errors. */
function readAnnotations(meta: Readonly<Record<string, unknown>> | null, errors: ParseIssue[]): Map<string, string> {
  const out = new Map<string, string>();
  if (meta === null || meta.annotations === undefined || meta.annotations === null) return out;
  const ann = asRecord(meta.annotations);
  if (ann === null) {
    errors.push({ path: 'metadata.annotations', message: `cannot read annotations: expected an object, got ${describeType(meta.annotations)}` });
    return out;
  }
  for (const [k, v] of Object.entries(ann)) {
    if (typeof v === 'string') out.set(k, v);
    else errors.push({ path: keyPath('metadata.annotations', k), message: `cannot read annotation: expected a string, got ${describeType(v)}` });
  }
  return out;
}

/** Validates tolerations into the model type. */
function readTolerations(list: readonly unknown[], errors: ParseIssue[]): Toleration[] {
  const out: Toleration[] = [];
  list.forEach((t, i) => {
    const path = `spec.tolerations[${i}]`;
    const rec = asRecord(t);
    if (rec === null) {
      errors.push({ path, message: `cannot read toleration: expected an object, got ${describeType(t)}` });
      return;
    }
    const fields: Record<string, string | undefined> = {};
    let bad = false;
    for (const f of ['key', 'operator', 'value', 'effect'] as const) {
      const v = rec[f];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') {
        errors.push({ path: `${path}.${f}`, message: `cannot read toleration ${f}: expected a string, got ${describeType(v)}` });
        bad = true;
        continue;
      }
      fields[f] = v;
    }
    const op = fields.operator;
    if (op !== undefined && op !== 'Exists' && op !== 'Equal') {
      errors.push({ path: `${path}.operator`, message: `cannot read toleration operator ${JSON.stringify(op)}: expected Exists or Equal` });
      bad = true;
    }
    if (bad) return;
    const tol: { -readonly [K in keyof Toleration]: Toleration[K] } = {};
    if (fields.key !== undefined) tol.key = fields.key;
    if (op === 'Exists' || op === 'Equal') tol.operator = op;
    if (fields.value !== undefined) tol.value = fields.value;
    if (fields.effect !== undefined) tol.effect = fields.effect;
    out.push(tol);
  });
  return out;
}

/**
 * Parses one pod's GPU demand from its containers' resources, its annotations, tolerations and priority.
 * Never throws: untrusted input gives `{ok:false, errors}` with the path and quoted value of each problem.
 * docs/model.md lists every resource and annotation with its grammar and default.
 */
export function parseGpuRequest(pod: PodLike): ParseResult<GpuRequest> {
  const errors: ParseIssue[] = [];
  const root = asRecord(pod);
  if (root === null) return failed([{ path: '', message: `cannot read pod: expected an object, got ${describeType(pod)}` }]);
  const meta = asRecord(root.metadata);
  if (root.metadata !== undefined && root.metadata !== null && meta === null) {
    errors.push({ path: 'metadata', message: `cannot read metadata: expected an object, got ${describeType(root.metadata)}` });
  }
  const spec = asRecord(root.spec);
  if (root.spec !== undefined && root.spec !== null && spec === null) {
    errors.push({ path: 'spec', message: `cannot read spec: expected an object, got ${describeType(root.spec)}` });
  }

  // Resources.
  const app = readList(spec?.containers, 'spec.containers', errors)
    .map((c, i) => readContainer(c, `spec.containers[${i}]`, errors));
  const init = readList(spec?.initContainers, 'spec.initContainers', errors).map((c, i) => ({
    amounts: readContainer(c, `spec.initContainers[${i}]`, errors),
    sidecar: asRecord(c)?.restartPolicy === 'Always',
  }));
  const res = combine(app, init);
  const amount = (name: string): number => res.get(name)?.value ?? 0;

  const nvidiaGpu = res.get(RESOURCE.nvidiaGpu);
  const tesseraGpu = res.get(RESOURCE.gpu);
  const memShare = res.get(RESOURCE.gpuMemory);
  const computeShare = res.get(RESOURCE.gpuCompute);
  const replica = res.get(RESOURCE.gpuReplica);
  const mig = new Map<string, { count: number; at: Combined; name: string }>();
  for (const [name, c] of res) {
    const profile = migProfileOf(name);
    if (profile === null) continue;
    if (!MIG_PROFILE_RE.test(profile)) {
      errors.push({ path: c.path, message: `cannot request MIG resource ${JSON.stringify(name)}: "${profile}" is not a MIG profile name (examples: 1g.10gb, 3g.40gb, 1g.10gb+me)` });
      continue;
    }
    if (!KNOWN_MIG_PROFILES.has(profile)) {
      errors.push({ path: c.path, message: `cannot request MIG resource ${JSON.stringify(name)}: no known GPU has profile "${profile}" (profile names are per product; see docs/topology.md)` });
      continue;
    }
    if (c.value === 0) continue;
    const prev = mig.get(profile);
    mig.set(profile, { count: (prev?.count ?? 0) + c.value, at: prev?.at ?? c, name: prev?.name ?? name });
  }

  for (const [name, c] of [[RESOURCE.gpuCompute, computeShare], [RESOURCE.gpuMemory, memShare]] as const) {
    if (c !== undefined && c.value === 0) {
      errors.push({ path: c.path, message: `cannot request ${describe(name, c)}: a share must be greater than 0 (omit the resource for none)` });
    }
  }
  if (computeShare !== undefined && computeShare.value > FULL_GPU_MILLI) {
    errors.push({ path: computeShare.path, message: `cannot request ${describe(RESOURCE.gpuCompute, computeShare)}: a share is at most ${FULL_GPU_MILLI} milli (one whole GPU); ask for whole GPUs with ${RESOURCE.nvidiaGpu}` });
  }
  if (memShare !== undefined && memShare.value > MAX_GPU_MEMORY_MIB) {
    errors.push({ path: memShare.path, message: `cannot request ${describe(RESOURCE.gpuMemory, memShare)}: more than ${MAX_GPU_MEMORY_MIB} MiB per GPU (a plain number is MiB, not bytes)` });
  }

  // Which kinds of GPU demand the pod names; at most one may be present.
  const families: { kind: GpuRequest['kind']; label: string; at: Combined }[] = [];
  if (nvidiaGpu !== undefined && nvidiaGpu.value > 0) families.push({ kind: 'whole', label: `whole GPUs (${describe(RESOURCE.nvidiaGpu, nvidiaGpu)})`, at: nvidiaGpu });
  const share = (memShare?.value ?? 0) > 0 ? memShare : (computeShare?.value ?? 0) > 0 ? computeShare : undefined;
  if (share !== undefined) {
    const name = share === memShare ? RESOURCE.gpuMemory : RESOURCE.gpuCompute;
    families.push({ kind: 'share', label: `GPU shares (${describe(name, share)})`, at: share });
  }
  if (replica !== undefined && replica.value > 0) families.push({ kind: 'replica', label: `time-sliced replicas (${describe(RESOURCE.gpuReplica, replica)})`, at: replica });
  const firstMig = [...mig.values()][0];
  if (firstMig !== undefined) families.push({ kind: 'mig', label: `MIG instances (${describe(firstMig.name, firstMig.at)})`, at: firstMig.at });
  const [primary, ...conflicts] = families;
  for (const other of conflicts) {
    errors.push({ path: other.at.path, message: `cannot mix ${primary?.label ?? ''} with ${other.label} in one pod: choose one kind of GPU request` });
  }

  let kind: GpuRequest['kind'] = primary?.kind ?? 'none';
  let gpus = 0;
  const tesseraGpuCount = tesseraGpu?.value ?? 0;
  if (tesseraGpu !== undefined) {
    if (kind === 'whole' && tesseraGpuCount > 0) {
      errors.push({ path: tesseraGpu.path, message: `cannot request both ${describe(RESOURCE.nvidiaGpu, nvidiaGpu as Combined)} and ${describe(RESOURCE.gpu, tesseraGpu)}: use one of them` });
    } else if ((kind === 'replica' || kind === 'mig') && tesseraGpuCount > 0) {
      errors.push({ path: tesseraGpu.path, message: `cannot combine ${describe(RESOURCE.gpu, tesseraGpu)} with ${kind === 'mig' ? 'MIG instances' : `${RESOURCE.gpuReplica} (it already counts GPUs)`}` });
    } else if (kind === 'share' && tesseraGpuCount === 0) {
      errors.push({ path: tesseraGpu.path, message: `cannot request ${describe(RESOURCE.gpu, tesseraGpu)} with a GPU share: a share applies to at least 1 GPU` });
    } else if (kind === 'none' && tesseraGpuCount > 0) {
      kind = 'whole';
    }
  }
  switch (kind) {
    case 'whole':
      gpus = nvidiaGpu !== undefined && nvidiaGpu.value > 0 ? nvidiaGpu.value : tesseraGpuCount;
      break;
    case 'share':
      gpus = tesseraGpuCount > 0 ? tesseraGpuCount : 1;
      break;
    case 'replica':
      gpus = replica?.value ?? 0;
      break;
    case 'mig':
    case 'none':
      gpus = 0;
      break;
  }
  const countAt = kind === 'whole' ? (nvidiaGpu !== undefined && nvidiaGpu.value > 0 ? nvidiaGpu : tesseraGpu)
    : kind === 'share' ? tesseraGpu : kind === 'replica' ? replica : undefined;
  if (gpus > MAX_GPUS_PER_POD) {
    errors.push({ path: countAt?.path ?? 'spec.containers', message: `cannot request ${gpus} ${kind === 'replica' ? 'replicas' : 'GPUs'}: at most ${MAX_GPUS_PER_POD} per pod` });
  }
  const migList = [...mig.entries()].map(([profile, m]) => ({ profile, count: m.count }));
  const migTotal = migList.reduce((s, m) => s + m.count, 0);
  if (migTotal > MAX_GPUS_PER_POD && firstMig !== undefined) {
    errors.push({ path: firstMig.at.path, message: `cannot request ${migTotal} MIG instances: at most ${MAX_GPUS_PER_POD} per pod` });
  }

  // Annotations.
  const ann = readAnnotations(meta, errors);
  const annPath = (k: string): string => keyPath('metadata.annotations', k);

  let models: string[] | null = null;
  const modelText = ann.get(ANNOTATION.gpuModel);
  if (modelText !== undefined) {
    const parts = modelText.split('|').map((s) => s.trim());
    if (parts.some((p) => p === '')) {
      errors.push({ path: annPath(ANNOTATION.gpuModel), message: `cannot read GPU models ${JSON.stringify(modelText)}: empty model name (separate models with "|", e.g. "H100|A100-80GB")` });
    } else {
      models = [...new Set(parts.map(modelEntry))];
    }
  }

  const multi = gpus > 1;
  let topology: TopologyNeed = multi ? 'nvlink-preferred' : 'any';
  const topoText = ann.get(ANNOTATION.topology);
  if (topoText !== undefined) {
    const need = TOPOLOGY_NEEDS.find((t) => t === topoText.trim());
    if (need === undefined) {
      errors.push({ path: annPath(ANNOTATION.topology), message: `unknown topology ${JSON.stringify(topoText)}: expected one of ${TOPOLOGY_NEEDS.join(', ')}` });
    } else if (need === 'nvlink-required' && (kind === 'share' || kind === 'mig')) {
      errors.push({ path: annPath(ANNOTATION.topology), message: `cannot require NVLink for ${kind === 'mig' ? 'MIG instances (MIG disables NVLink peer access)' : 'a fractional GPU share'}: use nvlink-preferred or any` });
    } else {
      topology = need;
    }
  }

  const tolerations = readTolerations(readList(spec?.tolerations, 'spec.tolerations', errors), errors);
  let interruptible = toleratesSpotTaint(tolerations);
  const intText = ann.get(ANNOTATION.interruptible);
  if (intText !== undefined) {
    if (intText === 'true') interruptible = true;
    else if (intText === 'false') interruptible = false;
    else errors.push({ path: annPath(ANNOTATION.interruptible), message: `cannot read interruptible ${JSON.stringify(intText)}: expected "true" or "false"` });
  }

  let group: string | null = null;
  const groupText = ann.get(ANNOTATION.group);
  if (groupText !== undefined) {
    const g = groupText.trim();
    if (g === '' || g.length > GROUP_MAX) {
      errors.push({ path: annPath(ANNOTATION.group), message: `cannot read group ${JSON.stringify(groupText)}: expected a name of 1-${GROUP_MAX} characters` });
    } else {
      group = g;
    }
  }

  let priority = 0;
  const prio = spec?.priority;
  if (prio !== undefined && prio !== null) {
    if (typeof prio === 'number' && Number.isSafeInteger(prio)) priority = prio;
    else errors.push({ path: 'spec.priority', message: `cannot read priority ${JSON.stringify(prio) ?? String(prio)}: expected an integer` });
  }

  if (errors.length > 0) return failed(errors);
  return parsed({
    kind,
    gpus,
    memoryMiB: kind === 'share' ? memShare?.value ?? 0 : 0,
    computeMilli: kind === 'share' ? computeShare?.value ?? 0 : 0,
    mig: migList,
    models,
    topology,
    interruptible,
    group,
    tolerations,
    cpuMilli: amount(RESOURCE.cpu),
    hostMemoryMiB: amount(RESOURCE.memory),
    priority,
  });
}
