import { candidatesFromNames, type NameCandidates } from '../name-candidates.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { isPlainWirePod } from '../plain-wire-pod.js';
import { validateBody } from '../validate-body.js';
import { ExtenderArgsSchema, type ExtenderArgs } from '../wire-schemas.js';
import { parseJsonBody } from './read-body.js';
import type { NodeNamesReader } from './trailing-node-names.js';

/** How a names-only body's NodeNames were read: the same bytes as a recent list, scanned from bytes, or JSON.parse. */
export type NamesRead = 'recent' | 'bytes' | 'parsed';

/** A validated filter/prioritize body; `candidates` and `namesRead` are set for names-only bodies, else null. */
export interface ParsedExtenderArgs {
  readonly args: ExtenderArgs;
  readonly candidates: NameCandidates | null;
  readonly namesRead: NamesRead | null;
}

const NO_NAMES: string[] = [];
/** Heads (a pod is a few KB) larger than this are parsed every time instead of kept. */
const MAX_KEPT_HEAD_BYTES = 256 * 1024;

/**
 * Parses and validates ExtenderArgs bodies. A names-only body as kube-scheduler writes it has its NodeNames
 * read from the bytes (NodeNamesReader) and only the part before them (the pod, a few KB) parsed as JSON;
 * anything else is parsed whole. Both give the same arguments and the same errors. The last few heads are
 * kept by their bytes: kube-scheduler sends the same pod to filter and then prioritize.
 */
export class ExtenderArgsParser {
  private readonly heads: { readonly bytes: Buffer; readonly args: ExtenderArgs }[] = [];

  constructor(private readonly reader: NodeNamesReader, private readonly index: NodeNameIndex, private readonly keep = 4) {}

  /** The validated arguments of `body` (a 400 RequestError names what is wrong). */
  parse(body: Buffer, verb: string): ParsedExtenderArgs {
    const tail = this.reader.read(body);
    if (tail !== null) {
      const args = this.head(body, tail.headEnd, verb);
      if (args !== null) return { args, candidates: tail.candidates, namesRead: tail.recent ? 'recent' : 'bytes' };
    }
    const args = validateBody(ExtenderArgsSchema, parseJsonBody(body, verb), verb);
    if (args.Nodes != null) return { args, candidates: null, namesRead: null };
    return { args, candidates: candidatesFromNames(args.NodeNames ?? [], this.index), namesRead: 'parsed' };
  }

  /** The arguments of `body[0, end)` + `}` with a stand-in NodeNames, or null when the whole body must be parsed. */
  private head(body: Buffer, end: number, verb: string): ExtenderArgs | null {
    for (const h of this.heads) {
      if (h.bytes.length === end && body.compare(h.bytes, 0, end, 0, end) === 0) return h.args;
    }
    let head: unknown;
    try {
      head = JSON.parse(`${body.toString('utf8', 0, end)}}`);
    } catch {
      return null;
    }
    if (typeof head !== 'object' || head === null || Array.isArray(head) || Object.keys(head).length === 0
      || (head as { Nodes?: unknown }).Nodes != null) return null;
    // The names were checked by the scanner (non-empty strings); validation sees a stand-in list. A well-formed
    // pod (the usual case) is taken as it is; anything else goes through the schema, which names the problem.
    const stated: Record<string, unknown> = { ...head, NodeNames: NO_NAMES };
    const args = isPlainWirePod(stated['Pod']) ? (stated as ExtenderArgs) : validateBody(ExtenderArgsSchema, stated, verb);
    if (end <= MAX_KEPT_HEAD_BYTES) {
      this.heads.unshift({ bytes: Buffer.from(body.subarray(0, end)), args });
      if (this.heads.length > this.keep) this.heads.pop();
    }
    return args;
  }
}
