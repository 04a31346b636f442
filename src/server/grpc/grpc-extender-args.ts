import { tooManyNodes } from '../http/extender-args-reader.js';
import { RequestError } from '../request-error.js';
import { candidatesFromNames, type NameCandidates } from '../name-candidates.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { isPlainWirePod } from '../plain-wire-pod.js';
import { validateBody } from '../validate-body.js';
import {
  ExtenderArgsSchema, ExtenderBindingArgsSchema, ExtenderPreemptionArgsSchema,
  type ExtenderArgs, type ExtenderBindingArgs, type ExtenderPreemptionArgs, type WirePod,
} from '../wire-schemas.js';
import type { BindRequest, FilterRequest, PreemptRequest, PrioritizeRequest } from './gen/tessera/v1/scheduler_pb.js';
import type { NamesOnlyRequest } from './names-request-reader.js';

/** Validated Filter/Prioritize arguments: the names-only form as the pod and candidates, the full-node form as ExtenderArgs. */
export type GrpcExtenderArgs =
  | { readonly form: 'names'; readonly pod: WirePod; readonly candidates: NameCandidates }
  | { readonly form: 'nodes'; readonly args: ExtenderArgs };

/**
 * Turns gRPC requests into the extender's arguments and validates them exactly as the HTTP adapter validates
 * its bodies (the same schemas on the same object shape), so a problem gets the same message and path over both
 * transports (`Pod.spec.containers`, `NodeNames[2]`, `PodUID`). The pod JSON of the last few requests is kept:
 * callers send the same pod to Filter and then Prioritize.
 */
export class GrpcArgsReader {
  private readonly pods: { readonly json: string; readonly pod: unknown }[] = [];

  /**
   * `namesLimit`: the most candidate names one request may list (RequestLimits.names, as over HTTP), read per
   * request since it follows the fleet's size.
   */
  constructor(private readonly index: NodeNameIndex, private readonly namesLimit: () => number = () => Infinity, private readonly keep = 4) {}

  /** Filter and Prioritize arguments (a RequestError names what is wrong). */
  extenderArgs(request: FilterRequest | PrioritizeRequest | NamesOnlyRequest, verb: string): GrpcExtenderArgs {
    const limit = this.namesLimit();
    const listed = 'kind' in request ? request.candidates.count : request.candidates.case === 'nodeNames' ? request.candidates.value.names.length : 0;
    if (listed > limit) throw tooManyNodes(verb, limit);
    const pod = this.pod(request.podJson, verb);
    if ('kind' in request) {
      // Read from bytes: the names are non-empty and resolved already; only the pod is left to check.
      const checked = isPlainWirePod(pod) ? pod : validateBody(ExtenderArgsSchema, { Pod: pod, Nodes: null, NodeNames: [] }, verb).Pod;
      return { form: 'names', pod: checked, candidates: request.candidates };
    }
    const c = request.candidates;
    if (c.case === 'nodeNames') {
      const names = c.value.names;
      // A well-formed pod and non-empty names (the usual case) are taken as they are; anything else goes through
      // the schema, which names the problem.
      const checked = isPlainWirePod(pod) && names.every((n) => n !== '')
        ? pod
        : validateBody(ExtenderArgsSchema, { Pod: pod, Nodes: null, NodeNames: names }, verb).Pod;
      return { form: 'names', pod: checked, candidates: candidatesFromNames(names, this.index) };
    }
    const items = c.case === 'nodes' ? c.value.nodeJson.map((text, i) => parseJson(text, verb, `Nodes.items[${i}]`)) : undefined;
    const body = { Pod: pod, Nodes: items === undefined ? null : { items }, NodeNames: null };
    return { form: 'nodes', args: validateBody(ExtenderArgsSchema, body, verb) };
  }

  /** Bind arguments. */
  bindingArgs(request: BindRequest): ExtenderBindingArgs {
    const body = { PodName: request.podName, PodNamespace: request.podNamespace, PodUID: request.podUid, Node: request.node };
    return validateBody(ExtenderBindingArgsSchema, body, 'bind');
  }

  /** Preempt arguments: the names-only victims when any are given, else the full-pod ones. */
  preemptionArgs(request: PreemptRequest): ExtenderPreemptionArgs {
    const pod = this.pod(request.podJson, 'preempt');
    const meta = Object.entries(request.nodeNameToMetaVictims);
    const full = Object.entries(request.nodeNameToVictims);
    const body = {
      Pod: pod,
      NodeNameToMetaVictims: meta.length === 0 ? null : Object.fromEntries(meta.map(([node, v]) => [node, {
        Pods: v.pods.map((p) => ({ UID: p.uid })), NumPDBViolations: v.numPdbViolations,
      }])),
      NodeNameToVictims: meta.length > 0 || full.length === 0 ? null : Object.fromEntries(full.map(([node, v]) => [node, {
        Pods: v.podJson.map((text, i) => parseJson(text, 'preempt', `NodeNameToVictims[${JSON.stringify(node)}].Pods[${i}]`)),
        NumPDBViolations: v.numPdbViolations,
      }])),
    };
    return validateBody(ExtenderPreemptionArgsSchema, body, 'preempt');
  }

  /** The parsed pod JSON (undefined when empty, which the schema reports as a missing `Pod`). */
  private pod(json: string, verb: string): unknown {
    if (json === '') return undefined;
    for (const kept of this.pods) if (kept.json === json) return kept.pod;
    const pod = parseJson(json, verb, 'Pod');
    this.pods.unshift({ json, pod });
    if (this.pods.length > this.keep) this.pods.pop();
    return pod;
  }
}

function parseJson(text: string, verb: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = `not valid JSON: ${(err as Error).message}`;
    throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: invalid request: ${path}: ${message}`, [{ path, message }]);
  }
}
