import type { ExtenderFilterResult } from '../wire-schemas.js';

/** UTF-8 JSON of Node objects by name, valid for one resourceVersion (bounded by entries and bytes). */
const nodeJson = new Map<string, { rv: string; json: Buffer }>();
const MAX_ENTRIES = 20_000;
const MAX_BYTES = 256 * 1024 * 1024;
let bytes = 0;
const COMMA = Buffer.from(',');

function serializeNode(node: unknown): Buffer {
  const meta = (node as { metadata?: { name?: unknown; resourceVersion?: unknown } }).metadata;
  const name = meta?.name;
  const rv = meta?.resourceVersion;
  if (typeof name !== 'string' || typeof rv !== 'string' || rv === '') return Buffer.from(JSON.stringify(node));
  const hit = nodeJson.get(name);
  if (hit !== undefined && hit.rv === rv) return hit.json;
  const json = Buffer.from(JSON.stringify(node));
  if (nodeJson.size >= MAX_ENTRIES || bytes + json.length > MAX_BYTES) {
    nodeJson.clear();
    bytes = 0;
  }
  if (hit !== undefined && nodeJson.has(name)) bytes -= hit.json.length;
  nodeJson.set(name, { rv, json });
  bytes += json.length;
  return json;
}

/**
 * The UTF-8 JSON of an ExtenderFilterResult, byte for byte `JSON.stringify(result)`. With full nodes
 * (nodeCacheCapable: false) the surviving Node objects are echoed back; each is encoded once per name +
 * resourceVersion and the answer is assembled by copying bytes, since kube-scheduler resends unchanged nodes
 * every cycle (9 MiB of 750 nodes: about 3 ms instead of about 55 ms).
 */
export function serializeFilterResult(result: ExtenderFilterResult): Buffer {
  if (result.Nodes === null) return Buffer.from(JSON.stringify(result));
  const parts: Buffer[] = [Buffer.from('{"Nodes":{"metadata":{},"items":[')];
  result.Nodes.items.forEach((node, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(serializeNode(node));
  });
  parts.push(Buffer.from(`]},"NodeNames":${JSON.stringify(result.NodeNames)},` +
    `"FailedNodes":${JSON.stringify(result.FailedNodes)},"FailedAndUnresolvableNodes":${JSON.stringify(result.FailedAndUnresolvableNodes)},` +
    `"Error":${JSON.stringify(result.Error)}}`));
  return Buffer.concat(parts);
}
