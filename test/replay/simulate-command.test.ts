import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../src/sim/replay/simulate-command.js';

const DIR = resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023');
const have = existsSync(`${DIR}/openb_pod_list_default.csv`);
const out = mkdtempSync(join(tmpdir(), 'tessera-replay-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tessera simulate', () => {
  it.each([
    [['--policies', 'Nope']],
    [['--seeds', 'x']],
    [['--workers', '0']],
    [['--bogus']],
    [['--node-choice', 'random']],
    [['--policies', 'Tessera', '--scheduler-config', '/nonexistent/scheduler-config.yaml']],
  ])('exits 2 on a bad flag: %j', async (args) => {
    expect(await simulateCommand(args)).toBe(2);
  });

  it('writes summary.csv with the contract columns, curves.csv and the SVG (docs/replay.md example, one policy and seed)', async () => {
    expect(have, `missing ${DIR}: the replay needs ../shared/traces beside the repository`).toBe(true);
    const code = await simulateCommand(['--nodes', `${DIR}/openb_node_list_gpu_node.csv`, '--pods', `${DIR}/openb_pod_list_default.csv`,
      '--policies', 'BestFit', '--seeds', '42', '--workers', '1', '--out', out]);
    expect(code).toBe(0);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('trace,policy,seeds,mean_unallocated_pct_at_100,sd_unallocated_pct_at_100');
    expect(summary[1]).toMatch(/^default,BestFit,1,\d+\.\d\d,0\.00$/);
    expect(readFileSync(join(out, 'curves.csv'), 'utf8').split('\n')[0]).toBe('trace,policy,seed,arrival_pct,allocated_pct,unallocated_pct');
    expect(readFileSync(join(out, 'default.svg'), 'utf8')).toContain('<title>BestFit</title>');
  }, 60_000);
});
