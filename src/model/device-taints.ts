import type { DeviceTaint } from './gpu-device.js';
import type { Toleration } from './gpu-request.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';

/**
 * Device taints: the node annotation `tessera.io/gpu-taints` and toleration matching with node-taint semantics.
 *
 * Grammar (whitespace around tokens is ignored, empty entries such as a trailing `;` are skipped):
 * ```
 * gpu-taints ::= entry { ";" entry }
 * entry      ::= gpus ":" key [ "=" value ] ":" effect
 * gpus       ::= "*" | item { "," item }           "*" = every GPU of the node
 * item       ::= index | index "-" index            GPU indices, 0-based, ranges inclusive
 * key        ::= [ dns-subdomain "/" ] name         Kubernetes label-key syntax
 * value      ::= Kubernetes label-value syntax (may be empty)
 * effect     ::= "NoSchedule" | "PreferNoSchedule" | "NoExecute"
 * ```
 * Example: `0,1:unhealthy=true:NoSchedule;3:team=ml:NoSchedule`.
 */

const EFFECTS: readonly DeviceTaint['effect'][] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INDEX_RE = /^\d+$/;

/** Why `key` is not a valid Kubernetes label/taint key, or null when it is. */
export function labelKeyError(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) {
    return `prefix "${prefix}" is not a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) {
    return `name "${name}" must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return null;
}

/** Why `value` is not a valid Kubernetes label/taint value, or null when it is (empty is valid). */
export function labelValueError(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME_RE.test(value)) {
    return `value "${value}" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return null;
}

/**
 * Parses `tessera.io/gpu-taints` for a node with `gpuCount` GPUs into one taint list per GPU index.
 * Errors name the entry, its 1-based character position in `text`, and what is wrong.
 */
export function parseDeviceTaints(text: string, gpuCount: number, path: string): ParseResult<readonly (readonly DeviceTaint[])[]> {
  const perGpu: DeviceTaint[][] = Array.from({ length: gpuCount }, () => []);
  const errors: ParseIssue[] = [];
  let offset = 0;
  let entryNo = 0;
  for (const raw of text.split(';')) {
    const at = offset + 1 + (raw.length - raw.trimStart().length);
    offset += raw.length + 1;
    const entry = raw.trim();
    if (entry === '') continue;
    entryNo += 1;
    const fail = (detail: string): void => {
      errors.push({ path, message: `cannot parse GPU taint entry ${entryNo} "${entry}" at character ${at}: ${detail}` });
    };
    const parts = entry.split(':').map((p) => p.trim());
    if (parts.length !== 3) {
      fail(`expected "<gpus>:<key>[=<value>]:<effect>", found ${parts.length - 1} ':' separators`);
      continue;
    }
    const [gpuText = '', kv = '', effectText = ''] = parts;
    const indices = parseGpuList(gpuText, gpuCount);
    if (typeof indices === 'string') {
      fail(indices);
      continue;
    }
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq).trim();
    const value = eq < 0 ? '' : kv.slice(eq + 1).trim();
    const keyError = key === '' ? 'empty taint key' : labelKeyError(key);
    if (keyError !== null) {
      fail(`bad taint key "${key}": ${keyError}`);
      continue;
    }
    const valueError = labelValueError(value);
    if (valueError !== null) {
      fail(`bad taint value: ${valueError}`);
      continue;
    }
    const effect = EFFECTS.find((e) => e === effectText);
    if (effect === undefined) {
      fail(`unknown effect "${effectText}" (expected NoSchedule, PreferNoSchedule or NoExecute)`);
      continue;
    }
    for (const i of indices) {
      const list = perGpu[i] ?? [];
      if (list.some((t) => t.key === key && t.effect === effect)) {
        fail(`GPU ${i} already has a taint with key "${key}" and effect ${effect}`);
        break;
      }
      list.push({ key, value, effect });
    }
  }
  return errors.length > 0 ? failed(errors) : parsed(perGpu);
}

/** Expands `0,1,4-6` or `*` into GPU indices below `gpuCount`, or explains why it cannot. */
function parseGpuList(text: string, gpuCount: number): number[] | string {
  if (text === '*') return Array.from({ length: gpuCount }, (_, i) => i);
  if (text === '') return 'empty GPU list (use indices like "0,1", a range "0-3", or "*")';
  const out: number[] = [];
  for (const itemRaw of text.split(',')) {
    const item = itemRaw.trim();
    const dash = item.indexOf('-');
    const lo = dash < 0 ? item : item.slice(0, dash).trim();
    const hi = dash < 0 ? item : item.slice(dash + 1).trim();
    if (!INDEX_RE.test(lo) || !INDEX_RE.test(hi)) return `bad GPU index "${item}" (use indices like "0,1", a range "0-3", or "*")`;
    const a = Number(lo);
    const b = Number(hi);
    if (a > b) return `bad GPU range "${item}": start is after end`;
    if (b >= gpuCount) return `GPU index ${b} out of range: the node has ${gpuCount} GPU${gpuCount === 1 ? '' : 's'}`;
    for (let i = a; i <= b; i++) if (!out.includes(i)) out.push(i);
  }
  return out;
}

/** Formats per-GPU taints back into the annotation grammar (one entry per GPU and taint; parse inverts it). */
export function formatDeviceTaints(perGpu: readonly (readonly DeviceTaint[])[]): string {
  const entries: string[] = [];
  perGpu.forEach((taints, i) => {
    for (const t of taints) entries.push(`${i}:${t.key}${t.value === '' ? '' : `=${t.value}`}:${t.effect}`);
  });
  return entries.join(';');
}

/**
 * Whether one toleration tolerates one taint, exactly as core/v1 `Toleration.ToleratesTaint`: an empty effect
 * matches every effect, an empty key with `Exists` matches every key, `Exists` ignores the value, and `Equal`
 * (the default operator) compares values.
 */
export function toleratesTaint(tol: Toleration, taint: { readonly key: string; readonly value: string; readonly effect: string }): boolean {
  if (tol.effect !== undefined && tol.effect !== '' && tol.effect !== taint.effect) return false;
  if (tol.key !== undefined && tol.key !== '' && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === taint.value;
}

/** Hard taints (NoSchedule, NoExecute) that no toleration tolerates; PreferNoSchedule never blocks. */
export function untoleratedTaints(tolerations: readonly Toleration[], taints: readonly DeviceTaint[]): DeviceTaint[] {
  return taints.filter((t) => t.effect !== 'PreferNoSchedule' && !tolerations.some((tol) => toleratesTaint(tol, t)));
}

/** True when the pod's tolerations let it use a GPU carrying `taints`. */
export function toleratesDeviceTaints(tolerations: readonly Toleration[], taints: readonly DeviceTaint[]): boolean {
  return taints.length === 0 || untoleratedTaints(tolerations, taints).length === 0;
}
