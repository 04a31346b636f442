import { candidatesFromNames, type NameCandidates } from '../name-candidates.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { validateBody } from '../validate-body.js';
import { ExtenderArgsSchema, type ExtenderArgs } from '../wire-schemas.js';
import { parseJsonBody } from './read-body.js';
import type { NodeNamesReader } from './trailing-node-names.js';

/** A validated filter/prioritize body; `candidates` is set for names-only bodies (`NodeNames`), else null. */
export interface ParsedExtenderArgs {
  readonly args: ExtenderArgs;
  readonly candidates: NameCandidates | null;
}

const NO_NAMES: string[] = [];

/**
 * Parses and validates an ExtenderArgs body. A names-only body as kube-scheduler writes it has its NodeNames
 * read from the bytes (NodeNamesReader) and only the part before them (the pod, a few KB) parsed as JSON;
 * anything else is parsed whole. Both give the same arguments and the same errors.
 */
export function parseExtenderArgs(body: Buffer, verb: string, reader: NodeNamesReader, index: NodeNameIndex): ParsedExtenderArgs {
  const tail = reader.read(body);
  if (tail !== null) {
    let head: unknown;
    try {
      head = JSON.parse(`${body.toString('utf8', 0, tail.headEnd)}}`);
    } catch {
      head = undefined;
    }
    if (typeof head === 'object' && head !== null && !Array.isArray(head) && Object.keys(head).length > 0
      && (head as { Nodes?: unknown }).Nodes == null) {
      // The names were checked by the scanner (non-empty strings); validation sees a stand-in list.
      const args = validateBody(ExtenderArgsSchema, { ...head, NodeNames: NO_NAMES }, verb);
      return { args, candidates: tail.candidates };
    }
  }
  const args = validateBody(ExtenderArgsSchema, parseJsonBody(body, verb), verb);
  return { args, candidates: args.Nodes == null ? candidatesFromNames(args.NodeNames ?? [], index) : null };
}
