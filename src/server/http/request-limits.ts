import type { Config } from '../../config/config-schema.js';

/** A bind body is four short strings (names are at most 253 characters). */
const BIND_BODY_BYTES = 16 * 1024;
/** Names a request may carry whatever the fleet: room for a cache still listing, or nodes just added. */
const NAMES_FLOOR = 1024;
/** Deepest JSON nesting accepted. Real pods and nodes stay under about 25 levels (managedFields included). */
export const MAX_JSON_DEPTH = 128;

/**
 * Limits on what one request may cost, sized from the fleet Tessera knows:
 *
 * - body bytes: `min(maxBodyBytes, bodyBaseBytes + bodyBytesPerNode x nodes)`; a names-only body is about 30
 *   bytes a name, so the defaults (2 MiB + 256 B a node) admit kube-scheduler's largest body eight times over
 *   and refuse a 50 MB flood of names up front; bind bodies are tiny and get 16 KiB;
 * - names per filter/prioritize request (NodeNames, or Nodes items): `min(maxNodeNames, 1024 + 2 x nodes)`;
 * - JSON nesting: MAX_JSON_DEPTH.
 */
export class RequestLimits {
  constructor(
    private readonly config: Pick<Config, 'maxBodyBytes' | 'bodyBaseBytes' | 'bodyBytesPerNode' | 'maxNodeNames'>,
    /** Nodes in the cluster cache now. */
    private readonly nodes: () => number,
  ) {}

  /** Largest body accepted for `verb` now. */
  bodyBytes(verb: string): number {
    const { maxBodyBytes, bodyBaseBytes, bodyBytesPerNode } = this.config;
    const sized = Math.min(maxBodyBytes, bodyBaseBytes + bodyBytesPerNode * this.nodes());
    return verb === 'bind' ? Math.min(sized, BIND_BODY_BYTES) : sized;
  }

  /** Most node names (or node objects) one filter/prioritize/preempt request may carry now. */
  names(): number {
    return Math.min(this.config.maxNodeNames, NAMES_FLOOR + 2 * this.nodes());
  }
}
