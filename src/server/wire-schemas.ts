import { z } from 'zod';

/**
 * The extender wire format exactly as kube-scheduler sends it (k8s.io/kube-scheduler/extender/v1, no json tags):
 * PascalCase envelope keys, unused pointers as `null`, embedded core/v1 objects in their usual camelCase.
 * Schemas are loose (unknown keys ignored, as Go's decoder does) and check only what Tessera reads, so a
 * 5,000-node body validates quickly.
 */

const StringMap = z.record(z.string(), z.string());
const Quantity = z.union([z.string(), z.number()]);
const ResourceList = z.record(z.string(), Quantity);

const Container = z.looseObject({
  name: z.string().optional(),
  resources: z.looseObject({ requests: ResourceList.nullish(), limits: ResourceList.nullish() }).nullish(),
});

/** The subset of core/v1 Pod the extender reads. */
export const PodSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().nullish(),
    uid: z.string().nullish(),
    resourceVersion: z.string().nullish(),
    labels: StringMap.nullish(),
    annotations: StringMap.nullish(),
  }),
  spec: z.looseObject({
    containers: z.array(Container).nullish(),
    initContainers: z.array(Container).nullish(),
    tolerations: z.array(z.looseObject({})).nullish(),
    priority: z.int().nullish(),
    schedulerName: z.string().nullish(),
    nodeName: z.string().nullish(),
  }).nullish(),
  status: z.looseObject({}).nullish(),
});

/** One core/v1 Node in a full-node body; the rest is read by inventoryFromNode. */
export const NodeSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().min(1),
    resourceVersion: z.string().nullish(),
    labels: StringMap.nullish(),
    annotations: StringMap.nullish(),
  }),
});

/**
 * A list of node names, checked with a plain loop: a 5,000-name list validates in microseconds (a generic array
 * schema costs about a millisecond), and a bad entry is still reported by index.
 */
const NodeNameList = z.unknown().superRefine((v, ctx) => {
  if (v === null || v === undefined) return;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected array of node names, received ${typeof v}` });
    return;
  }
  for (let i = 0; i < v.length; i += 1) {
    const name: unknown = v[i];
    if (typeof name !== 'string' || name === '') {
      ctx.addIssue({ code: 'custom', path: [i], message: `expected a non-empty node name string, received ${name === '' ? 'an empty string' : typeof name}` });
      return;
    }
  }
}) as unknown as z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>;

/**
 * The items of a full-node body, checked in place with a loop (a generic schema clones every node: about
 * 100 ms for 750 realistic nodes). Only `metadata.name` (and the type of `metadata.resourceVersion`) is checked
 * here; labels, annotations and allocatable are read by inventoryFromNode, whose problems make that one node
 * unresolvable instead of failing the request. The original objects are kept, so filter echoes them unchanged.
 */
const NodeItems = z.unknown().superRefine((v, ctx) => {
  if (v === null || v === undefined) return;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected array of core/v1 Node objects, received ${typeof v}` });
    return;
  }
  for (let i = 0; i < v.length; i += 1) {
    const node: unknown = v[i];
    const meta: unknown = typeof node === 'object' && node !== null ? (node as { metadata?: unknown }).metadata : undefined;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      ctx.addIssue({ code: 'custom', path: [i, 'metadata'], message: 'expected a Node object with metadata' });
      return;
    }
    const { name, resourceVersion } = meta as { name?: unknown; resourceVersion?: unknown };
    if (typeof name !== 'string' || name === '') {
      ctx.addIssue({ code: 'custom', path: [i, 'metadata', 'name'], message: `expected a non-empty node name string, received ${name === '' ? 'an empty string' : typeof name}` });
      return;
    }
    if (resourceVersion !== undefined && resourceVersion !== null && typeof resourceVersion !== 'string') {
      ctx.addIssue({ code: 'custom', path: [i, 'metadata', 'resourceVersion'], message: `expected string, received ${typeof resourceVersion}` });
      return;
    }
  }
}) as unknown as z.ZodOptional<z.ZodNullable<z.ZodArray<typeof NodeSchema>>>;

/** `ExtenderArgs`: the body of filter and prioritize. */
export const ExtenderArgsSchema = z.looseObject({
  Pod: PodSchema,
  Nodes: z.looseObject({ items: NodeItems }).nullish(),
  NodeNames: NodeNameList,
}).refine((a) => a.Nodes != null || a.NodeNames != null, {
  message: 'one of Nodes (nodeCacheCapable: false) or NodeNames (nodeCacheCapable: true) must be set',
  path: ['NodeNames'],
});

/** `ExtenderBindingArgs`: the body of bind. */
export const ExtenderBindingArgsSchema = z.looseObject({
  PodName: z.string().min(1),
  PodNamespace: z.string(),
  PodUID: z.string().min(1),
  Node: z.string().min(1),
});

const MetaVictims = z.looseObject({
  Pods: z.array(z.looseObject({ UID: z.string().min(1) })).nullish(),
  NumPDBViolations: z.int().nullish(),
});

const Victims = z.looseObject({
  Pods: z.array(z.looseObject({ metadata: z.looseObject({ uid: z.string().min(1) }) })).nullish(),
  NumPDBViolations: z.int().nullish(),
});

/** `ExtenderPreemptionArgs`: the body of preempt. */
export const ExtenderPreemptionArgsSchema = z.looseObject({
  Pod: PodSchema,
  NodeNameToVictims: z.record(z.string(), Victims.nullable()).nullish(),
  NodeNameToMetaVictims: z.record(z.string(), MetaVictims.nullable()).nullish(),
});

/** A validated filter/prioritize body. */
export type ExtenderArgs = z.infer<typeof ExtenderArgsSchema>;
/** A validated pod. */
export type WirePod = z.infer<typeof PodSchema>;
/** A validated node of a full-node body. */
export type WireNode = z.infer<typeof NodeSchema>;
/** A validated bind body. */
export type ExtenderBindingArgs = z.infer<typeof ExtenderBindingArgsSchema>;
/** A validated preempt body. */
export type ExtenderPreemptionArgs = z.infer<typeof ExtenderPreemptionArgsSchema>;

/** `ExtenderFilterResult`; exactly one of Nodes / NodeNames is non-null, matching the request's mode. */
export interface ExtenderFilterResult {
  Nodes: { metadata: Record<string, never>; items: unknown[] } | null;
  NodeNames: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

/** One `HostPriority`; Score is 0..MaxExtenderPriority (10). */
export interface HostPriority {
  Host: string;
  Score: number;
}

/** `ExtenderBindingResult`; Error "" means bound. */
export interface ExtenderBindingResult {
  Error: string;
}

/** `MetaVictims`. */
export interface MetaVictimsResult {
  Pods: { UID: string }[];
  NumPDBViolations: number;
}

/** `ExtenderPreemptionResult`. */
export interface ExtenderPreemptionResult {
  NodeNameToMetaVictims: Record<string, MetaVictimsResult>;
}

/** kube-scheduler's MaxExtenderPriority: prioritize scores are 0..10. */
export const MAX_EXTENDER_PRIORITY = 10;
