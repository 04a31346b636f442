import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs `tessera <args>` from source (tsx) and collects exit code and output; kills it on `until` in stdout/stderr. */
function tessera(args: string[], env: Record<string, string> = {}, until?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { ...process.env, KUBECONFIG: '', HOME: tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let signalled = false;
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (until === undefined || signalled || !until.test(out)) return;
      signalled = true;
      // tsx's loader installs its own signal relay asynchronously; give it a moment so the test is about Tessera.
      setTimeout(() => child.kill('SIGTERM'), 300);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('tessera CLI', () => {
  it('exits 2 and reports every bad field by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const fleet = join(dir, 'fleet.yaml');
    writeFileSync(fleet, 'apiVersion: tessera.io/v1alpha1\nkind: SimulatedFleet\npools: []\n');
    const [bad, badFleet] = await Promise.all([
      tessera(['serve', '--port', 'eighty', '--tracing', 'jaeger'], { TESSERA_ASSUME_TTL_SECONDS: '-5' }),
      tessera(['serve', '--port', '0', '--ops-port', '0', '--cluster', `sim:${fleet}`]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/invalid configuration: port: .*"eighty" from --port/);
    expect(bad.out).toMatch(/invalid configuration: tracing: /);
    expect(bad.out).toMatch(/invalid configuration: assumeTtlSeconds: .*env TESSERA_ASSUME_TTL_SECONDS/);
    expect(badFleet.code).toBe(2);
    expect(badFleet.out).toMatch(/invalid configuration: cluster \(fleet file .*\) pools: /);
  }, 30_000);

  it('serves the simulated cluster and shuts down cleanly on SIGTERM', async () => {
    const r = await tessera(['serve', '--port', '0', '--host', '127.0.0.1', '--ops-port', '0', '--ops-host', '127.0.0.1'], {}, /"msg":"serving"/);
    expect(r.out).toMatch(/"cluster":"simulated cluster \(built-in fleet\)"/);
    expect(r.out).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(r.code).toBe(0);
  }, 30_000);
});
