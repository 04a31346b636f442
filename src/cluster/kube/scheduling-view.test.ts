import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { schedulingView } from './scheduling-view.js';

const node = (allocatable: Record<string, string>, capacity: Record<string, string>): V1Node => ({
  metadata: { name: 'gpu-1', uid: 'u-1', resourceVersion: '7', labels: { a: 'b' }, annotations: { c: 'd' } },
  spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] },
  status: {
    allocatable, capacity,
    conditions: [{ type: 'Ready', status: 'True' }],
    nodeInfo: { architecture: 'amd64', bootID: '', containerRuntimeVersion: '', kernelVersion: '', kubeProxyVersion: '', kubeletVersion: '', machineID: '', operatingSystem: 'linux', osImage: '', systemUUID: '' },
  },
});

describe('schedulingView()', () => {
  it('keeps metadata, taints, allocatable and capacity, and drops what the kubelet reports', () => {
    const view = schedulingView(node({ cpu: '96', 'nvidia.com/gpu': '8' }, { cpu: '96', 'nvidia.com/gpu': '8' }));
    expect(view).toEqual({
      metadata: { name: 'gpu-1', uid: 'u-1', resourceVersion: '7', labels: { a: 'b' }, annotations: { c: 'd' } },
      spec: { taints: [{ key: 'k', effect: 'NoSchedule' }], unschedulable: null },
      status: { allocatable: { cpu: '96', 'nvidia.com/gpu': '8' }, capacity: { cpu: '96', 'nvidia.com/gpu': '8' } },
    });
  });

  it('holds one object for allocatable and capacity when their entries are equal', () => {
    const status = schedulingView(node({ cpu: '96', memory: '1Ti' }, { memory: '1Ti', cpu: '96' })).status as { allocatable: object; capacity: object };
    expect(status.capacity).toBe(status.allocatable);
  });

  it.each([
    ['a value differs', { cpu: '95', memory: '1Ti' }],
    ['capacity has one more resource', { cpu: '96', memory: '1Ti', 'nvidia.com/gpu': '8' }],
    ['capacity has one fewer resource', { cpu: '96' }],
  ])('keeps capacity apart when %s', (_, capacity) => {
    const status = schedulingView(node({ cpu: '96', memory: '1Ti' }, capacity)).status as { allocatable: object; capacity: object };
    expect(status.capacity).not.toBe(status.allocatable);
    expect(status.capacity).toEqual(capacity);
    expect(status.allocatable).toEqual({ cpu: '96', memory: '1Ti' });
  });
});
