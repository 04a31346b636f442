import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';
import { ANNOTATION } from './well-known-names.js';

/** The domain all of a job group's pods must share (annotation `tessera.io/group-locality`). */
export type GroupLocality = 'node' | 'clique' | 'rack' | 'zone';

/** Locality levels, tightest first. */
export const GROUP_LOCALITIES: readonly GroupLocality[] = Object.freeze(['node', 'clique', 'rack', 'zone']);

/** Most pods an all-or-nothing group may require. */
export const MAX_GROUP_MIN_SIZE = 10_000;

/**
 * A pod's job group for all-or-nothing placement: pods of one namespace with the same `tessera.io/group` form
 * the group; with `tessera.io/group-min-size: N` none of them is bound until N have places that fit together.
 */
export interface JobGroup {
  /** `<namespace>/<group>`: groups never span namespaces. */
  readonly key: string;
  readonly name: string;
  /** N of `tessera.io/group-min-size`, or null when the group only asks for locality (placed near, not gated). */
  readonly minSize: number | null;
  /** `tessera.io/group-locality`, or null (tightest domain preferred, not required). */
  readonly locality: GroupLocality | null;
}

/** The pod fields a job group is read from. */
export interface GroupPodLike {
  readonly metadata?: { readonly namespace?: string | null; readonly annotations?: Readonly<Record<string, string>> | null } | null;
}

const annPath = (k: string): string => `metadata.annotations["${k}"]`;

/**
 * Reads a pod's job group: null when it has none. Errors (never thrown) name the annotation and quote the
 * value: `tessera.io/group-min-size` must be an integer 1..10000 and, like `tessera.io/group-locality`, needs
 * `tessera.io/group`.
 */
export function parseJobGroup(pod: GroupPodLike): ParseResult<JobGroup | null> {
  const ann = pod.metadata?.annotations ?? {};
  const errors: ParseIssue[] = [];
  const groupText = ann[ANNOTATION.group];
  const name = typeof groupText === 'string' ? groupText.trim() : '';
  const minText = ann[ANNOTATION.groupMinSize];
  const localityText = ann[ANNOTATION.groupLocality];
  let minSize: number | null = null;
  if (minText !== undefined) {
    const t = String(minText).trim();
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_GROUP_MIN_SIZE) {
      errors.push({ path: annPath(ANNOTATION.groupMinSize), message: `cannot read group minimum size ${JSON.stringify(minText)}: expected an integer from 1 to ${MAX_GROUP_MIN_SIZE}` });
    } else {
      minSize = n;
    }
  }
  let locality: GroupLocality | null = null;
  if (localityText !== undefined) {
    const l = GROUP_LOCALITIES.find((x) => x === String(localityText).trim());
    if (l === undefined) errors.push({ path: annPath(ANNOTATION.groupLocality), message: `cannot read group locality ${JSON.stringify(localityText)}: expected one of ${GROUP_LOCALITIES.join(', ')}` });
    else locality = l;
  }
  if (name === '' && (minText !== undefined || localityText !== undefined)) {
    const which = minText !== undefined ? ANNOTATION.groupMinSize : ANNOTATION.groupLocality;
    errors.push({ path: annPath(which), message: `cannot use ${which} without ${ANNOTATION.group}: name the group the pod belongs to` });
  }
  if (errors.length > 0) return failed(errors);
  if (name === '') return parsed(null);
  return parsed({ key: `${pod.metadata?.namespace ?? ''}/${name}`, name, minSize, locality });
}
