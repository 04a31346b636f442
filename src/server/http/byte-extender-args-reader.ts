import { isPlainWirePod } from '../plain-wire-pod.js';
import { validateBody } from '../validate-body.js';
import { ExtenderArgsSchema, type ExtenderArgs } from '../wire-schemas.js';
import { tooManyNodes, type ExtenderArgsReader, type ParsedExtenderArgs } from './extender-args-reader.js';
import { parseJsonBody } from './read-body.js';
import type { NodeNamesReader } from './trailing-node-names.js';

const NO_NAMES: string[] = [];
/** Heads (a pod is a few KB) larger than this are parsed every time instead of kept. */
const MAX_KEPT_HEAD_BYTES = 256 * 1024;

/**
 * The byte fast path, for names-only bodies laid out as kube-scheduler writes them (compact, NodeNames last):
 * the NodeNames are read from the bytes (NodeNamesReader) and only the part before them (the pod, a few KB) is
 * parsed, depth-checked and validated. The last few heads are kept by their bytes: kube-scheduler sends the same
 * pod to filter and then prioritize. Answers null for any other layout, or a head that is not a JSON object
 * (the plain path then reads the body and names the problem).
 */
export class ByteExtenderArgsReader implements ExtenderArgsReader {
  private readonly heads: { readonly bytes: Buffer; readonly args: ExtenderArgs }[] = [];

  constructor(
    private readonly names: NodeNamesReader,
    private readonly maxNames: () => number,
    private readonly keep = 4,
  ) {}

  read(body: Buffer, verb: string): ParsedExtenderArgs | null {
    const limit = this.maxNames();
    const tail = this.names.read(body, limit);
    if (tail === null) return null;
    const args = this.head(body, tail.headEnd, verb, tail.candidates === null ? limit : -1);
    if (args === null) return null;
    if (tail.candidates === null) throw new Error('ByteExtenderArgsReader: a list over the limit reached validation');
    return { args, candidates: tail.candidates, namesRead: tail.recent ? 'recent' : 'bytes' };
  }

  /**
   * The arguments of `body[0, end)` + `}` with a stand-in NodeNames, or null when the whole body must be parsed.
   * `tooMany` >= 0: the list was over that limit, thrown once the head is known to be an object (as the plain
   * path does after its parse).
   */
  private head(body: Buffer, end: number, verb: string, tooMany: number): ExtenderArgs | null {
    for (const h of this.heads) {
      if (h.bytes.length === end && body.compare(h.bytes, 0, end, 0, end) === 0) {
        if (tooMany >= 0) throw tooManyNodes(verb, tooMany);
        return h.args;
      }
    }
    let head: unknown;
    try {
      head = parseJsonBody(body, verb, '}', end);
    } catch (err) {
      // Too deep is too deep in any layout; anything else is for the plain path to name.
      if ((err as { code?: string }).code === 'TESSERA_TOO_DEEP') throw err;
      return null;
    }
    if (typeof head !== 'object' || head === null || Array.isArray(head) || Object.keys(head).length === 0
      || (head as { Nodes?: unknown }).Nodes != null) return null;
    if (tooMany >= 0) throw tooManyNodes(verb, tooMany);
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
