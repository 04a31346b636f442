import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndRunScenario, scenarioCsv, SCENARIO_HEADER } from '../../src/sim/replay/scenario-command.js';
import { parseScenario } from '../../src/sim/replay/scenario.js';

const EXAMPLE = resolve(import.meta.dirname, '../../docs/examples/replay-scenario.yaml');
const haveTrace = existsSync(resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023/openb_pod_list_multigpu20.csv'));

describe('replay scenarios', () => {
  it.each([
    ['nodeStride: 0', 'nodeStride'],
    ['spot: {share: 2}', 'spot.share'],
    ['pricePerGpuHour: {G2: -1}', 'pricePerGpuHour.G2'],
    ['colour: red', 'colour'],
  ])('parseScenario() reports "%s" at path %s', (line, path) => {
    const r = parseScenario(`name: x\nnodes: n.csv\npods: p.csv\n${line}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain(path);
  });

  it('runs docs/examples/replay-scenario.yaml: no non-interruptible pod on spot, cheaper than the cost-blind packer', () => {
    expect(haveTrace, 'missing ../shared/traces/alibaba-gpu-v2023: the scenario needs the trace beside the repository').toBe(true);
    const rows = loadAndRunScenario(EXAMPLE);
    expect(rows.map((r) => r.policy)).toEqual(['Tessera', 'CostBlind']);
    const [tessera, blind] = rows;
    for (const r of rows) {
      expect(r.nonInterruptibleOnSpot).toBe(0);
      expect(r.spotNodes).toBeGreaterThan(0);
      expect(r.multiGpuPods).toBeGreaterThan(0);
      expect(r.multiGpuBestConnectedShare).toBeGreaterThanOrEqual(0);
      expect(r.multiGpuBestConnectedShare).toBeLessThanOrEqual(1);
    }
    expect(tessera!.costPerAllocatedGpuHour).toBeLessThan(blind!.costPerAllocatedGpuHour);
    expect(scenarioCsv(rows).split('\n')[0]).toBe(SCENARIO_HEADER);
  }, 60_000);
});
