import { candidatesFromNames } from '../name-candidates.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { validateBody } from '../validate-body.js';
import { ExtenderArgsSchema } from '../wire-schemas.js';
import { tooManyNodes, type ExtenderArgsReader, type ParsedExtenderArgs } from './extender-args-reader.js';
import { parseJsonBody } from './read-body.js';

/**
 * The plain JSON path: the whole body parsed (depth-checked first) and validated, in any layout. Reads every
 * body it is given (never answers null).
 */
export class JsonExtenderArgsReader implements ExtenderArgsReader {
  constructor(private readonly index: NodeNameIndex, private readonly maxNames: () => number) {}

  read(body: Buffer, verb: string): ParsedExtenderArgs {
    const parsed = parseJsonBody(body, verb);
    const limit = this.maxNames();
    if (listedNodes(parsed) > limit) throw tooManyNodes(verb, limit);
    const args = validateBody(ExtenderArgsSchema, parsed, verb);
    if (args.Nodes != null) return { args, candidates: null, namesRead: null };
    return { args, candidates: candidatesFromNames(args.NodeNames ?? [], this.index), namesRead: 'parsed' };
  }
}

/** How many nodes a parsed body lists (the Nodes items, or else NodeNames), before validation. */
export function listedNodes(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const { Nodes, NodeNames } = body as { Nodes?: unknown; NodeNames?: unknown };
  const items = typeof Nodes === 'object' && Nodes !== null ? (Nodes as { items?: unknown }).items : undefined;
  if (Nodes != null) return Array.isArray(items) ? items.length : 0;
  return Array.isArray(NodeNames) ? NodeNames.length : 0;
}
