import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrace } from '../../src/sim/replay/load-trace.js';
import type { NodeChoiceSpec, PolicyName, RunResult } from '../../src/sim/replay/replay-trace.js';
import { runOne } from '../../src/sim/replay/replay-trace.js';
import { BASELINE_NAMES } from '../../src/algorithm/baselines/baselines.js';

const DIR = resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023');
const have = existsSync(`${DIR}/openb_pod_list_default.csv`);
/** Tessera's policies pick nodes as kube-scheduler does with deploy/'s configuration (the replay's default). */
const KUBE: NodeChoiceSpec = { kind: 'kube-scheduler', schedulerConfig: resolve(import.meta.dirname, '../../deploy/scheduler-config.yaml') };

/** Unallocated % at 100 % arrival per policy and seed from the FGD authors' cached curves. */
function cachedAt100(workload: string): Map<string, number[]> {
  const lines = readFileSync(`${DIR}/fgd-simulator-results/analysis_allo_discrete.csv`, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const col = header.indexOf('100');
  const out = new Map<string, number[]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[0] !== `openb_pod_list_${workload}`) continue;
    const policy = cells[1]!.replace(/^\d+-/, '');
    out.set(policy, [...(out.get(policy) ?? []), 100 - Number(cells[col])]);
  }
  return out;
}

function sd(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/*
 * One seed (42) of the default trace, every baseline. The reference is a distribution over 10 Go seeds that our
 * RNG cannot reproduce, so a single run is checked against the cached seed range widened by one cached sd on
 * each side: for a normal spread the 10-seed range is about mean ± 1.5 sd, so the window is about ± 2.5 sd
 * (≈ 1 % chance that a correct implementation falls outside per policy). The 10-seed mean check (within 0.5
 * points) is the full run documented in docs/replay.md.
 */
describe('replay of the default trace, seed 42', () => {
  it(`finds the Alibaba trace in ${DIR} (the team's shared folder beside the repository)`, () => {
    expect(have, `missing ${DIR}/openb_pod_list_default.csv: the replay tests need ../shared/traces`).toBe(true);
  });
  const trace = have ? loadTrace(`${DIR}/openb_node_list_gpu_node.csv`, `${DIR}/openb_pod_list_default.csv`) : null;
  const cached = have ? cachedAt100('default') : new Map<string, number[]>();
  const results = new Map<string, RunResult>();
  const run = (p: PolicyName): RunResult => {
    if (trace === null) throw new Error(`missing trace in ${DIR}`);
    let r = results.get(p);
    if (!r) { r = runOne(trace, p, 42, undefined, KUBE); results.set(p, r); }
    return r;
  };

  it.each(BASELINE_NAMES.map((p) => [p]))('%s reproduces the cached reference within its seed range ± one sd', (policy) => {
    const ref = cached.get(policy)!;
    expect(ref).toHaveLength(10);
    const got = 100 - run(policy).curve[100]!;
    const lo = Math.min(...ref) - sd(ref);
    const hi = Math.max(...ref) + sd(ref);
    expect(got, `${policy}: ${got.toFixed(2)} not in [${lo.toFixed(2)}, ${hi.toFixed(2)}]`).toBeGreaterThanOrEqual(lo);
    expect(got).toBeLessThanOrEqual(hi);
  });

  it('keeps the paper\'s order FGD < BestFit < DotProd < Random', () => {
    const u = (p: PolicyName): number => 100 - run(p).curve[100]!;
    expect(u('FGD')).toBeLessThan(u('BestFit'));
    expect(u('BestFit')).toBeLessThan(u('DotProd'));
    expect(u('DotProd')).toBeLessThan(u('Random'));
  });

  it('runs Tessera through the core on the same arrival order and beats BestFit', () => {
    const t = run('Tessera');
    expect(t.curve[100]).toBeGreaterThan(0);
    expect(100 - t.curve[100]!).toBeLessThan(100 - run('BestFit').curve[100]!);
    // The curve never allocates more than arrived: allocation ≤ arrival % at every point.
    t.curve.forEach((a, x) => { if (!Number.isNaN(a)) expect(a).toBeLessThanOrEqual(x + 1); });
  });

  it('Tessera as shipped, learning its workload and placed as kube-scheduler chooses, leaves at most 0.85 × FGD\'s cached mean unallocated at 100 % arrival (on this seed)', () => {
    const fgd = cached.get('FGD')!;
    const goal = 0.85 * (fgd.reduce((a, b) => a + b, 0) / fgd.length);
    const got = 100 - run('Tessera').curve[100]!;
    expect(got, `Tessera ${got.toFixed(2)} > goal ${goal.toFixed(2)}`).toBeLessThanOrEqual(goal);
  });

  it('the cold start alone (a learner that never warms) strands no more than FGD with the same uniform workload', () => {
    const cold = 100 - run('Tessera-cold').curve[100]!;
    const uniform = 100 - run('FGD-uniform').curve[100]!;
    expect(cold, `Tessera-cold ${cold.toFixed(2)} > FGD-uniform ${uniform.toFixed(2)}`).toBeLessThanOrEqual(uniform);
  });
}, 240_000);
