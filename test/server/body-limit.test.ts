import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { RequestLimits } from '../../src/server/http/request-limits.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod, namesArgs, nodesArgs, realisticNode } from './kube-fixtures.js';

const limitsAt = (nodes: number, config: Partial<typeof DEFAULT_CONFIG> = {}): RequestLimits =>
  new RequestLimits({ ...DEFAULT_CONFIG, ...config }, () => nodes);
const pod = kubePod({ name: 'p', uid: 'u', requests: { 'nvidia.com/gpu': '1' } });

describe('body limits sized from the fleet', () => {
  it('admits kube-scheduler\'s names-only body for every node of a 5,000-node fleet several times over', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `gpu-node-pool-a-${String(i).padStart(5, '0')}`);
    const body = Buffer.byteLength(JSON.stringify(namesArgs(pod, names)));
    expect(body / names.length).toBeLessThan(32);
    expect(body * 4).toBeLessThan(limitsAt(5000).bodyBytes('filter'));
    expect(limitsAt(5000).names()).toBeGreaterThanOrEqual(2 * names.length);
  });

  it('refuses the 50 MB flood of 4.46 million names even at 20,000 nodes', () => {
    const flood = 50 * 1000 * 1000;
    expect(limitsAt(20_000).bodyBytes('filter')).toBeLessThan(flood / 4);
    expect(limitsAt(0).bodyBytes('filter')).toBe(DEFAULT_CONFIG.bodyBaseBytes);
  });

  it('admits a 5,000-node full v1.NodeList with the settings docs/service.md gives for nodeCacheCapable: false', () => {
    // The 16 nodes of the built-in fleet, dressed as a kubelet reports them, scaled to 5,000.
    const nodes = fleetNodes(DEFAULT_FLEET).slice(0, 16).map((n) => realisticNode(n as Record<string, unknown>));
    const sample = Buffer.byteLength(JSON.stringify(nodesArgs(pod, nodes)));
    const estimate = (sample / nodes.length) * 5000;
    expect(estimate).toBeGreaterThan(40 * 1024 * 1024);
    const fullNodes = limitsAt(5000, { bodyBytesPerNode: 16 * 1024, maxBodyBytes: 128 * 1024 * 1024 });
    expect(estimate * 1.2).toBeLessThan(fullNodes.bodyBytes('filter'));
    // ... and the names-only default refuses it.
    expect(estimate).toBeGreaterThan(limitsAt(5000).bodyBytes('filter'));
  });

  it('caps every limit at maxBodyBytes and bind bodies at 16 KiB', () => {
    expect(limitsAt(1_000_000).bodyBytes('filter')).toBe(DEFAULT_CONFIG.maxBodyBytes);
    expect(limitsAt(5000).bodyBytes('bind')).toBe(16 * 1024);
    expect(limitsAt(1_000_000).names()).toBe(DEFAULT_CONFIG.maxNodeNames);
  });
});
