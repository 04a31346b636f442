import type { Allocation, DeviceAssignment } from './allocation.js';
import type { MigInstance } from './gpu-device.js';
import { migLayoutError, migProfile } from './mig-profiles.js';
import type { NodeInventory } from './node-inventory.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';
import { describeType } from './quantity.js';
import { ANNOTATION } from './well-known-names.js';

/**
 * The pod annotation `tessera.io/allocation`: the exact devices Tessera gave a pod, written on bind and read
 * back on restart (and by a node agent or device plugin). Version 1, compact JSON:
 * ```json
 * {"v":1,"node":"gpu-7","devices":[
 *   {"index":2,"uuid":"GPU-…","kind":"share","memoryMiB":10240,"computeMilli":250},
 *   {"index":3,"uuid":"GPU-…","kind":"mig","memoryMiB":40192,"computeMilli":429,"mig":{"profile":"3g.40gb","start":4,"size":4}},
 *   {"index":5,"uuid":"GPU-…","kind":"replica","memoryMiB":0,"computeMilli":250,"replicas":1}],
 *  "cpuMilli":2000,"memoryMiB":8192}
 * ```
 * `index` and `uuid` are the GPU's own (as `nvidia-smi` numbers it), not positions; parsing maps them back to
 * positions in `NodeInventory.gpus` and checks them against the node.
 */

/** The annotation key. */
export const ALLOCATION_ANNOTATION = ANNOTATION.allocation;
/** The format version written by this code. */
export const ALLOCATION_FORMAT_VERSION = 1;

const KINDS: readonly DeviceAssignment['kind'][] = ['whole', 'share', 'replica', 'mig'];
/** Longest annotation text parsed; a real one is a few hundred bytes. */
const MAX_TEXT = 64 * 1024;

/**
 * Serializes `alloc` for the annotation. `inventory` supplies each GPU's own index; an assignment whose
 * position or uuid does not match the inventory is a bug in the caller and throws.
 */
export function formatAllocationAnnotation(alloc: Allocation, inventory: NodeInventory): string {
  const devices = alloc.devices.map((d) => {
    const gpu = inventory.gpus[d.gpuIndex];
    if (gpu === undefined || gpu.uuid !== d.gpuUuid) {
      throw new Error(`bug: cannot format allocation on node "${inventory.name}": position ${d.gpuIndex} is not GPU "${d.gpuUuid}"`);
    }
    return {
      index: gpu.index,
      uuid: gpu.uuid,
      kind: d.kind,
      memoryMiB: d.memoryMiB,
      computeMilli: d.computeMilli,
      ...(d.replicas !== undefined ? { replicas: d.replicas } : {}),
      ...(d.mig !== undefined ? { mig: { profile: d.mig.profile, start: d.mig.start, size: d.mig.size } } : {}),
    };
  });
  return JSON.stringify({ v: ALLOCATION_FORMAT_VERSION, node: alloc.node, devices, cpuMilli: alloc.cpuMilli, memoryMiB: alloc.memoryMiB });
}

/** A non-negative safe integer, else null. */
function count(x: unknown): number | null {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : null;
}

/**
 * Parses the annotation and validates it against the node's inventory: the version, the node name, every
 * device's uuid and index on that node, kinds consistent with the GPU's sharing policy, amounts within the
 * GPU, MIG instances legal for the product (and part of a fixed layout when the GPU has one).
 * Error paths are relative to the JSON document (`devices[1].uuid`).
 */
export function parseAllocationAnnotation(text: string, inventory: NodeInventory): ParseResult<Allocation> {
  if (typeof text !== 'string') return failed([{ path: '', message: `cannot read allocation: expected JSON text, got ${describeType(text)}` }]);
  if (text.length > MAX_TEXT) return failed([{ path: '', message: `cannot read allocation: ${text.length} characters exceeds ${MAX_TEXT}` }]);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return failed([{ path: '', message: `cannot read allocation: not JSON: ${(err as Error).message}` }]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return failed([{ path: '', message: `cannot read allocation: expected an object, got ${describeType(doc)}` }]);
  }
  const o = doc as Record<string, unknown>;
  if (o.v !== ALLOCATION_FORMAT_VERSION) {
    return failed([{ path: 'v', message: `cannot read allocation version ${JSON.stringify(o.v) ?? 'undefined'}: this Tessera reads version ${ALLOCATION_FORMAT_VERSION}` }]);
  }
  const errors: ParseIssue[] = [];
  if (o.node !== inventory.name) {
    errors.push({ path: 'node', message: `cannot apply allocation for node ${JSON.stringify(o.node) ?? 'undefined'} to node "${inventory.name}"` });
  }
  const cpuMilli = count(o.cpuMilli);
  if (cpuMilli === null) errors.push({ path: 'cpuMilli', message: `cannot read cpuMilli ${JSON.stringify(o.cpuMilli) ?? 'undefined'}: expected a non-negative integer` });
  const memoryMiB = count(o.memoryMiB);
  if (memoryMiB === null) errors.push({ path: 'memoryMiB', message: `cannot read memoryMiB ${JSON.stringify(o.memoryMiB) ?? 'undefined'}: expected a non-negative integer` });
  if (!Array.isArray(o.devices)) {
    errors.push({ path: 'devices', message: `cannot read devices: expected a list, got ${describeType(o.devices)}` });
    return failed(errors);
  }
  const byUuid = new Map(inventory.gpus.map((g, pos) => [g.uuid, pos]));
  const devices: DeviceAssignment[] = [];
  const migByGpu = new Map<number, { instances: MigInstance[]; path: string }>();
  const plainByGpu = new Map<number, string>();
  o.devices.forEach((raw, i) => {
    const path = `devices[${i}]`;
    const bad = (field: string, message: string): void => { errors.push({ path: field === '' ? path : `${path}.${field}`, message }); };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      bad('', `cannot read device: expected an object, got ${describeType(raw)}`);
      return;
    }
    const d = raw as Record<string, unknown>;
    const pos = typeof d.uuid === 'string' ? byUuid.get(d.uuid) : undefined;
    const gpu = pos === undefined ? undefined : inventory.gpus[pos];
    if (pos === undefined || gpu === undefined) {
      bad('uuid', `cannot find GPU ${JSON.stringify(d.uuid) ?? 'undefined'} on node "${inventory.name}"`);
      return;
    }
    if (d.index !== gpu.index) {
      bad('index', `cannot match index ${JSON.stringify(d.index) ?? 'undefined'} to GPU "${gpu.uuid}": its index is ${gpu.index}`);
      return;
    }
    const kind = KINDS.find((k) => k === d.kind);
    if (kind === undefined) {
      bad('kind', `unknown device kind ${JSON.stringify(d.kind) ?? 'undefined'}: expected whole, share, replica or mig`);
      return;
    }
    const mem = count(d.memoryMiB);
    const comp = count(d.computeMilli);
    if (mem === null || mem > gpu.memoryMiB) {
      bad('memoryMiB', `cannot hold memoryMiB ${JSON.stringify(d.memoryMiB) ?? 'undefined'} on GPU ${gpu.index}: expected 0..${gpu.memoryMiB}`);
      return;
    }
    if (comp === null || comp > gpu.computeMilli) {
      bad('computeMilli', `cannot hold computeMilli ${JSON.stringify(d.computeMilli) ?? 'undefined'} on GPU ${gpu.index}: expected 0..${gpu.computeMilli}`);
      return;
    }
    const sharing = gpu.sharing;
    const mismatch = (): void => bad('kind', `cannot hold a "${kind}" device on GPU ${gpu.index}: its sharing is ${sharing.mode}`);
    if ((kind === 'mig') !== (d.mig !== undefined)) {
      bad('mig', kind === 'mig' ? 'cannot read a mig device without its "mig" instance' : `cannot have a "mig" instance on a "${kind}" device`);
      return;
    }
    if ((kind === 'replica') !== (d.replicas !== undefined)) {
      bad('replicas', kind === 'replica' ? 'cannot read a replica device without "replicas"' : `cannot have "replicas" on a "${kind}" device`);
      return;
    }
    let assignment: DeviceAssignment = { gpuIndex: pos, gpuUuid: gpu.uuid, kind, memoryMiB: mem, computeMilli: comp };
    switch (kind) {
      case 'whole':
        if (sharing.mode === 'mig') return mismatch();
        break;
      case 'share':
        if (sharing.mode !== 'fractional') return mismatch();
        break;
      case 'replica': {
        if (sharing.mode !== 'time-sliced') return mismatch();
        const r = count(d.replicas);
        if (r === null || r < 1 || r > sharing.replicas) {
          bad('replicas', `cannot hold ${JSON.stringify(d.replicas) ?? 'undefined'} replicas on GPU ${gpu.index}: expected 1..${sharing.replicas}`);
          return;
        }
        assignment = { ...assignment, replicas: r };
        break;
      }
      case 'mig': {
        if (sharing.mode !== 'mig') return mismatch();
        const m = typeof d.mig === 'object' && d.mig !== null ? (d.mig as Record<string, unknown>) : {};
        const profile = typeof m.profile === 'string' ? migProfile(gpu.product, m.profile) : null;
        const start = count(m.start);
        if (profile === null) {
          bad('mig.profile', `cannot find MIG profile ${JSON.stringify(m.profile) ?? 'undefined'} on ${gpu.product}`);
          return;
        }
        if (start === null || !profile.starts.includes(start) || m.size !== profile.memorySlices) {
          bad('mig', `cannot place "${profile.name}" at ${JSON.stringify(m.start) ?? 'undefined'}:${JSON.stringify(m.size) ?? 'undefined'}: allowed starts ${profile.starts.join(',')}, size ${profile.memorySlices}`);
          return;
        }
        const inst: MigInstance = { profile: profile.name, start, size: profile.memorySlices };
        if (sharing.layout !== 'dynamic' && !sharing.layout.some((x) => x.profile === inst.profile && x.start === inst.start)) {
          bad('mig', `cannot hold "${inst.profile}" at ${inst.start} on GPU ${gpu.index}: it is not in the GPU's fixed MIG layout`);
          return;
        }
        const group = migByGpu.get(pos) ?? { instances: [], path };
        group.instances.push(inst);
        migByGpu.set(pos, group);
        assignment = { ...assignment, mig: inst };
        break;
      }
    }
    if (kind !== 'mig') {
      if (plainByGpu.has(pos)) {
        bad('uuid', `cannot list GPU ${gpu.index} twice (first at ${plainByGpu.get(pos) ?? ''})`);
        return;
      }
      plainByGpu.set(pos, path);
    }
    devices.push(assignment);
  });
  for (const [pos, group] of migByGpu) {
    const err = migLayoutError(inventory.gpus[pos]?.product ?? '', group.instances);
    if (err !== null) errors.push({ path: group.path, message: `cannot hold these MIG instances on GPU ${inventory.gpus[pos]?.index ?? pos}: ${err}` });
  }
  if (errors.length > 0 || cpuMilli === null || memoryMiB === null) return failed(errors);
  return parsed({ node: inventory.name, devices, cpuMilli, memoryMiB });
}
