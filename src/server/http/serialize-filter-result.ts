import type { ExtenderFilterResult } from '../wire-schemas.js';

/** Serialized Node objects by name, valid for one resourceVersion (bounded by entries and characters). */
const nodeJson = new Map<string, { rv: string; json: string }>();
const MAX_ENTRIES = 20_000;
const MAX_CHARS = 256 * 1024 * 1024;
let chars = 0;

function serializeNode(node: unknown): string {
  const meta = (node as { metadata?: { name?: unknown; resourceVersion?: unknown } }).metadata;
  const name = meta?.name;
  const rv = meta?.resourceVersion;
  if (typeof name !== 'string' || typeof rv !== 'string' || rv === '') return JSON.stringify(node);
  const hit = nodeJson.get(name);
  if (hit !== undefined && hit.rv === rv) return hit.json;
  const json = JSON.stringify(node);
  if (nodeJson.size >= MAX_ENTRIES || chars + json.length > MAX_CHARS) {
    nodeJson.clear();
    chars = 0;
  }
  if (hit !== undefined) chars -= hit.json.length;
  nodeJson.set(name, { rv, json });
  chars += json.length;
  return json;
}

/**
 * `JSON.stringify(result)` for an ExtenderFilterResult. With full nodes (nodeCacheCapable: false) the surviving
 * Node objects are echoed back; each is serialized once per name + resourceVersion and reused, so a 5,000-node
 * answer is mostly a copy instead of a re-serialization (kube-scheduler resends unchanged nodes every cycle).
 */
export function serializeFilterResult(result: ExtenderFilterResult): string {
  if (result.Nodes === null) return JSON.stringify(result);
  const items = result.Nodes.items.map(serializeNode).join(',');
  return `{"Nodes":{"metadata":{},"items":[${items}]},"NodeNames":${JSON.stringify(result.NodeNames)},` +
    `"FailedNodes":${JSON.stringify(result.FailedNodes)},"FailedAndUnresolvableNodes":${JSON.stringify(result.FailedAndUnresolvableNodes)},` +
    `"Error":${JSON.stringify(result.Error)}}`;
}
