import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/config/config-schema.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod, nodesArgs, realisticNode } from './kube-fixtures.js';

describe('default body limit', () => {
  it('admits a 5,000-node full v1.NodeList body with room to spare', () => {
    // The 16 nodes of the built-in fleet, dressed as a kubelet reports them, scaled to 5,000.
    const nodes = fleetNodes(DEFAULT_FLEET).slice(0, 16).map((n) => realisticNode(n as Record<string, unknown>));
    const sample = Buffer.byteLength(JSON.stringify(nodesArgs(kubePod({ name: 'p', uid: 'u' }), nodes)));
    const estimate = (sample / nodes.length) * 5000;
    expect(estimate).toBeGreaterThan(40 * 1024 * 1024);
    expect(estimate * 2).toBeLessThan(DEFAULT_MAX_BODY_BYTES);
  });
});
