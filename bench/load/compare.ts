/**
 * HTTP against gRPC, interleaved in one session: runs `load-http.ts --sweep …` and `load-grpc.ts --sweep …` one
 * after the other, `--rounds` times, and prints for each run the most filter+prioritize pairs per second that met
 * the thresholds (p99 and error rate of bench/load/*.scenario.yaml), with the load average around it, then the
 * gRPC/HTTP ratio per round. Asserts nothing (a sweep where no level passes shows 0).
 *
 *   npx tsx bench/load/compare.ts [--rounds 2] [--sweep 1,2,3,4] [--rates R,S,...] [--duration 20] [--warmup 5]
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? fallback : fallback);
const rounds = Number(flag('--rounds', '2'));
const passThrough = ['--sweep', flag('--sweep', '1,2,3,4'), '--duration', flag('--duration', '20'), '--warmup', flag('--warmup', '5'),
  ...(argv.includes('--rates') ? ['--rates', flag('--rates', '')] : [])];
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One sweep's best level: pairs/s, its connections and its last line; the whole output for the record. */
async function sweep(transport: 'http' | 'grpc'): Promise<{ pairs: number; line: string }> {
  const script = fileURLToPath(new URL(`./load-${transport}.ts`, import.meta.url));
  const before = load();
  const output = await run(process.execPath, [...process.execArgv, script, ...passThrough], { maxBuffer: 64 * 1024 * 1024 })
    .then((r) => r.stdout, (err: { stdout?: string }) => err.stdout ?? '');
  const after = load();
  const best = /most pairs\/s within the thresholds: (\d+\.\d) at (.*)$/m.exec(output);
  const lines = output.trim().split('\n');
  const summary = lines.filter((l) => l.startsWith('sweep:') || l.includes('server\'s own time') || l.includes('server CPU') || l.includes('load generator CPU') || l.includes('pairs ')).join('\n    ');
  console.log(`${transport.padEnd(4)} load average ${before} -> ${after}: ${best === null ? 'no run met the thresholds' : `${best[1]} pairs/s at ${best[2]}`}`);
  console.log(`    ${summary}`);
  console.log(`    ${lines[lines.length - 1] ?? ''}`);
  return { pairs: best === null ? 0 : Number(best[1]), line: lines[lines.length - 1] ?? '' };
}

const ratios: string[] = [];
for (let round = 1; round <= rounds; round += 1) {
  console.log(`round ${round} (${new Date().toISOString()})`);
  const http = await sweep('http');
  const grpc = await sweep('grpc');
  ratios.push(http.pairs === 0 ? 'n/a' : (grpc.pairs / http.pairs).toFixed(2));
}
console.log(`gRPC/HTTP pairs per second, by round: ${ratios.join(', ')}`);
