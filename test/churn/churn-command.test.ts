import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHURN_MEANS_HEADER, CHURN_SUMMARY_HEADER, CHURN_TIMESERIES_HEADER } from '../../src/sim/churn/churn-results.js';
import { simulateCommand } from '../../src/sim/replay/simulate-command.js';

const DIR = resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023');
const out = mkdtempSync(join(tmpdir(), 'tessera-churn-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The default trace's last `days` days (four: about 1,500 pods) as a pod list file. */
function lastDays(days = 4): string {
  const file = `${DIR}/openb_pod_list_default.csv`;
  if (!existsSync(file)) throw new Error(`the churn command test needs the Alibaba trace: "${file}" is missing (see docs/replay.md)`);
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const col = header!.split(',').indexOf('creation_time');
  const end = Math.max(...rows.map((r) => Number(r.split(',')[col])));
  const path = join(out, days === 4 ? 'openb_pod_list_lastdays.csv' : `openb_pod_list_last${days}days.csv`);
  writeFileSync(path, `${[header, ...rows.filter((r) => Number(r.split(',')[col]) >= end - days * 86400)].join('\n')}\n`);
  return path;
}

describe('tessera simulate --mode churn', () => {
  it.each([
    [['--mode', 'bogus']],
    [['--mode', 'churn', '--rates', 'fast']],
    [['--mode', 'churn', '--rates', '0']],
    [['--mode', 'churn', '--policies', 'Nope']],
    [['--mode', 'churn', '--policies', 'FGD+nope']],
    [['--mode', 'churn', '--node-stride', '0']],
    [['--mode', 'churn', '--priority', 'loud']],
    [['--mode=churn', '--bogus']],
  ])('exits 2 on a bad flag: %j', async (args) => {
    expect(await simulateCommand(args)).toBe(2);
  });

  it('writes summary.csv (one row per policy x seed x rate), means.csv, timeseries.csv and one SVG per metric and rate', async () => {
    const pods = lastDays();
    const code = await simulateCommand(['--mode', 'churn', '--nodes', `${DIR}/openb_node_list_gpu_node.csv`, '--pods', pods,
      '--policies', 'BestFit,FGD', '--rates', '50,100', '--seeds', '42', '--node-stride', '32', '--workers', '1', '--out', out]);
    expect(code).toBe(0);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe(CHURN_SUMMARY_HEADER);
    expect(summary.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'lastdays,BestFit,42,50', 'lastdays,FGD,42,50', 'lastdays,BestFit,42,100', 'lastdays,FGD,42,100',
    ]);
    const cols = CHURN_SUMMARY_HEADER.split(',');
    const row = summary[4]!.split(',');
    expect(Number(row[cols.indexOf('wait_p95_s')])).toBeGreaterThan(0);
    expect(Number(row[cols.indexOf('stranded_gpu_hours')])).toBeGreaterThan(0);
    expect(Number(row[cols.indexOf('pods')])).toBeGreaterThan(1000);
    const means = readFileSync(join(out, 'means.csv'), 'utf8').trim().split('\n');
    expect(means[0]).toBe(CHURN_MEANS_HEADER);
    expect(means.find((l) => l.startsWith('lastdays,FGD,100,1,'))!.split(',').slice(-2)).toEqual(['1.000', '1.000']);
    expect(readFileSync(join(out, 'timeseries.csv'), 'utf8').split('\n')[0]).toBe(CHURN_TIMESERIES_HEADER);
    const svgs = readdirSync(out).filter((f) => f.endsWith('.svg')).sort();
    expect(svgs).toHaveLength(16);
    expect(svgs).toContain('lastdays-stranded-100x.svg');
    expect(readFileSync(join(out, 'lastdays-wait-p95-100x.svg'), 'utf8')).toContain('<title>BestFit</title>');
  }, 120_000);

  it('runs the load-sweep example of docs/replay.md (on the last two days, one seed, every 32nd node)', async () => {
    const docs = readFileSync(resolve(import.meta.dirname, '../../docs/replay.md'), 'utf8');
    const line = docs.split('\n').find((l) => l.startsWith('npx tsx src/main.ts simulate --mode churn --policies'));
    expect(line).toBeDefined();
    const args = line!.replace(/#.*$/, '').trim().split(/\s+/).slice(4);
    const sweep = join(out, 'sweep');
    // Later flags win: the example's policies and rates on a small slice.
    const code = await simulateCommand([...args, '--pods', lastDays(2), '--nodes', `${DIR}/openb_node_list_gpu_node.csv`, '--seeds', '42',
      '--node-stride', '32', '--workers', '1', '--out', sweep]);
    expect(code).toBe(0);
    const rows = readFileSync(join(sweep, 'summary.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(1, 4).join(','));
    expect(rows).toEqual(['200', '225', '250', '275', '300'].flatMap((r) => [`FGD,42,${r}`, `Tessera,42,${r}`]));
  }, 120_000);
});
