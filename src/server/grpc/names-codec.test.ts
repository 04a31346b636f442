import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidatesFromNames } from '../name-candidates.js';
import { REPEATED, toFilterResult, type NamesFilterAnswer } from '../names-filter-answer.js';
import { NodeNameIndex } from '../node-name-index.js';
import { PASS, UNRESOLVABLE, UNSCHEDULABLE } from '../standing-answers.js';
import {
  FilterRequestSchema, FilterResponseSchema, PrioritizeRequestSchema, PrioritizeResponseSchema,
} from './gen/tessera/v1/scheduler_pb.js';
import { NamesAnswerEncoder } from './names-answer-encoder.js';
import { NamesRequestReader } from './names-request-reader.js';

/** Node names as clusters have them, some long enough for two-byte lengths, plus a few non-ASCII ones. */
const KNOWN = [
  ...Array.from({ length: 40 }, (_, i) => `gpu-node-${i}`),
  `ip-10-0-0-1.${'x'.repeat(150)}.internal`,
  'nœud-é-1',
];
const UNKNOWN = ['not-cached', 'ghost-7', `long-${'y'.repeat(200)}`, '節点'];

function indexOf(names: readonly string[]): NodeNameIndex {
  const index = new NodeNameIndex();
  for (const n of names) index.intern(n);
  return index;
}

const nameLists = fc.array(fc.constantFrom(...KNOWN, ...UNKNOWN), { minLength: 1, maxLength: 60 });
const podJson = fc.constantFrom('', '{"metadata":{"name":"p"}}', JSON.stringify({ metadata: { name: 'q', uid: 'u', annotations: { a: 'é'.repeat(100) } } }));

const filterRequest = (pod: string, names: readonly string[]): Buffer =>
  Buffer.from(toBinary(FilterRequestSchema, create(FilterRequestSchema, { podJson: pod, candidates: { case: 'nodeNames', value: { names: [...names] } } })));

describe('NamesRequestReader', () => {
  it('reads what protobuf-es decodes: the pod JSON, and each name with the id the index gives it', () => {
    fc.assert(fc.property(nameLists, podJson, (names, pod) => {
      const index = indexOf(KNOWN);
      const bytes = filterRequest(pod, names);
      const read = new NamesRequestReader(index).read(bytes);
      expect(read).not.toBeNull();
      const decoded = fromBinary(FilterRequestSchema, bytes);
      expect(read?.podJson).toBe(decoded.podJson);
      const c = read?.candidates;
      const decodedNames = decoded.candidates.case === 'nodeNames' ? decoded.candidates.value.names : [];
      expect(Array.from({ length: c?.count ?? 0 }, (_, i) => c?.name(i))).toEqual(decodedNames);
      expect(Array.from(c?.ids ?? [])).toEqual(decodedNames.map((n) => index.idOf(n)));
    }));
  });

  it('skips unknown fields as proto3 does, and reads Prioritize requests (same field numbers) alike', () => {
    const index = indexOf(KNOWN);
    const unknownFields = Buffer.from([0x20, 0x96, 0x01, 0x2a, 0x02, 0x68, 0x69, 0x35, 1, 2, 3, 4]); // field 4 varint, 5 bytes, 6 fixed32
    const read = new NamesRequestReader(index).read(Buffer.concat([unknownFields, filterRequest('{}', ['gpu-node-3', 'ghost-7'])]));
    expect(read?.podJson).toBe('{}');
    expect(read?.candidates.name(1)).toBe('ghost-7');
    expect(Array.from(read?.candidates.ids ?? [])).toEqual([index.idOf('gpu-node-3'), -1]);
    const prioritize = Buffer.from(toBinary(PrioritizeRequestSchema, create(PrioritizeRequestSchema, {
      podJson: '{}', candidates: { case: 'nodeNames', value: { names: ['gpu-node-5'] } },
    })));
    expect(new NamesRequestReader(index).read(prioritize)?.candidates.name(0)).toBe('gpu-node-5');
  });

  it.each([
    ['the full-node form', Buffer.from(toBinary(FilterRequestSchema, create(FilterRequestSchema, { podJson: '{}', candidates: { case: 'nodes', value: { nodeJson: ['{}'] } } })))],
    ['no candidates at all', Buffer.from(toBinary(FilterRequestSchema, create(FilterRequestSchema, { podJson: '{}' })))],
    ['an empty name (the schema reports it)', filterRequest('{}', ['gpu-node-1', ''])],
    ['NodeNames given twice (protobuf merges them)', Buffer.concat([filterRequest('', ['gpu-node-1']), filterRequest('', ['gpu-node-2'])])],
    ['truncated bytes', filterRequest('{}', ['gpu-node-1']).subarray(0, 9)],
    ['a group (wire type 3)', Buffer.concat([Buffer.from([0x23]), filterRequest('{}', ['gpu-node-1'])])],
    ['a name that is not UTF-8', Buffer.from([0x12, 0x04, 0x0a, 0x02, 0xc3, 0x28])],
    ['a pod that is not UTF-8', Buffer.concat([Buffer.from([0x0a, 0x01, 0xff]), filterRequest('', ['gpu-node-1'])])],
  ])('leaves %s to the generic decoder (null)', (_name, bytes) => {
    expect(new NamesRequestReader(indexOf(KNOWN)).read(bytes)).toBeNull();
  });

  it('recognises a list it saw or sent by one compare, and learns ids of names the index learnt since', () => {
    const index = indexOf(KNOWN);
    let finds = 0;
    const find = index.find.bind(index);
    index.find = (...args) => {
      finds += 1;
      return find(...args);
    };
    const reader = new NamesRequestReader(index);
    const bytes = filterRequest('{}', ['gpu-node-1', 'late-node', 'gpu-node-2']);
    const first = reader.read(bytes);
    expect(finds).toBe(3);
    expect(first?.candidates.ids[1]).toBe(-1);
    index.intern('late-node');
    const second = reader.read(bytes);
    expect(finds).toBe(3);
    expect(second?.candidates.ids[1]).toBe(index.idOf('late-node'));
    expect(second?.candidates.list).toBe(first?.candidates.list);

    // A Filter answer's node_names, echoed by a Prioritize, are known without a scan.
    const encoder = new NamesAnswerEncoder(index, reader);
    const candidates = candidatesFromNames(['gpu-node-7', 'gpu-node-8', 'gpu-node-9'], index);
    encoder.filter({ candidates, error: '', outcome: Uint8Array.from([PASS, UNSCHEDULABLE, PASS]), reasons: [undefined, 'full', undefined], passed: 2 });
    const echoed = reader.read(filterRequest('{}', ['gpu-node-7', 'gpu-node-9']));
    expect(finds).toBe(3);
    expect(Array.from(echoed?.candidates.ids ?? [])).toEqual([index.idOf('gpu-node-7'), index.idOf('gpu-node-9')]);
  });
});

const outcomes = fc.constantFrom(PASS, UNSCHEDULABLE, UNRESOLVABLE, REPEATED);
const reasons = fc.constantFrom('need 2 NVLink-connected whole GPUs: largest free NVLink island has 1', 'node is spot', `long ${'r'.repeat(300)}`, 'é');

describe('NamesAnswerEncoder', () => {
  it('writes Filter answers that decode to the message built from toFilterResult', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...KNOWN, ...UNKNOWN), outcomes, reasons), { maxLength: 60 }), (rows) => {
      const index = indexOf(KNOWN);
      const candidates = candidatesFromNames(rows.map((r) => r[0]), index);
      const outcome = Uint8Array.from(rows.map((r) => r[1]));
      const answer: NamesFilterAnswer = {
        candidates, error: '', outcome, reasons: rows.map((r) => (r[1] === PASS ? undefined : r[2])),
        passed: rows.filter((r) => r[1] === PASS).length,
      };
      const expected = toFilterResult(answer);
      const decoded = fromBinary(FilterResponseSchema, new NamesAnswerEncoder(index).filter(answer));
      expect(decoded).toEqual(create(FilterResponseSchema, {
        nodeNames: expected.NodeNames ?? [], failedNodes: expected.FailedNodes, failedAndUnresolvableNodes: expected.FailedAndUnresolvableNodes,
      }));
    }));
  });

  it('writes Prioritize answers that decode to one HostPriority per candidate, in request order', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...KNOWN, ...UNKNOWN), fc.integer({ min: 0, max: 10 })), { maxLength: 60 }), (rows) => {
      const index = indexOf(KNOWN);
      const candidates = candidatesFromNames(rows.map((r) => r[0]), index);
      const bytes = new NamesAnswerEncoder(index).priorities(candidates, Uint8Array.from(rows.map((r) => r[1])));
      expect(fromBinary(PrioritizeResponseSchema, bytes)).toEqual(create(PrioritizeResponseSchema, {
        hostPriorities: rows.map(([host, score]) => ({ host, score })),
      }));
    }));
  });
});
