import type { NameCandidates } from './name-candidates.js';
import { PASS, UNSCHEDULABLE } from './standing-answers.js';
import type { ExtenderFilterResult } from './wire-schemas.js';

/** A failed name listed again: left out of the answer, since a JSON object holds each key once. */
export const REPEATED = 4;

/**
 * A names-only filter answer, per candidate in request order: PASS (NodeNames), UNSCHEDULABLE (FailedNodes),
 * UNRESOLVABLE (FailedAndUnresolvableNodes) or REPEATED, with the reason of each failed candidate. Kept in this
 * compact form so the HTTP writer can copy names as bytes; `toFilterResult` gives the wire object.
 */
export interface NamesFilterAnswer {
  readonly candidates: NameCandidates;
  /** Filter's `Error` ('' normally; when set, nothing else is answered). */
  readonly error: string;
  readonly outcome: Uint8Array;
  /** `reasons[i]` for every failed candidate `i`. */
  readonly reasons: readonly (string | undefined)[];
  /** Candidates with outcome PASS. */
  readonly passed: number;
}

/** The ExtenderFilterResult of a names-only answer. */
export function toFilterResult(answer: NamesFilterAnswer): ExtenderFilterResult {
  if (answer.error !== '') return { Nodes: null, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: answer.error };
  const names: string[] = [];
  const failed: Record<string, string> = {};
  const unresolvable: Record<string, string> = {};
  const { candidates, outcome, reasons } = answer;
  for (let i = 0; i < candidates.count; i += 1) {
    const code = outcome[i];
    if (code === PASS) names.push(candidates.name(i));
    else if (code === UNSCHEDULABLE) failed[candidates.name(i)] = reasons[i] as string;
    else if (code !== REPEATED) unresolvable[candidates.name(i)] = reasons[i] as string;
  }
  return { Nodes: null, NodeNames: names, FailedNodes: failed, FailedAndUnresolvableNodes: unresolvable, Error: '' };
}
