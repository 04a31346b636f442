import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

const run = promisify(execFile);

/**
 * Runs the gRPC example commands of docs/service.md (docs/examples/grpc/call.ts), in document order, against a
 * fresh server over the built-in simulated fleet, and checks each answer against the JSON block shown after it.
 */
function examples(): { command: string; expected: unknown }[] {
  const doc = readFileSync('docs/service.md', 'utf8');
  const out: { command: string; expected: unknown }[] = [];
  const re = /```sh\n(npx tsx docs\/examples\/grpc\/call\.ts [^\n]*)\n```\n```json\n([^\n]*)\n```/g;
  for (let m = re.exec(doc); m !== null; m = re.exec(doc)) out.push({ command: m[1] as string, expected: JSON.parse(m[2] as string) });
  return out;
}

/** Reason texts belong to the core and may be reworded: compare which nodes failed, and the rest exactly. */
function comparable(answer: unknown): unknown {
  const a = answer as Record<string, unknown>;
  if (a['failedNodes'] === undefined) return a;
  return { ...a, failedNodes: Object.keys(a['failedNodes'] as object).sort(), failedAndUnresolvableNodes: Object.keys(a['failedAndUnresolvableNodes'] as object).sort() };
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { grpcPort: 0 } });
});
afterAll(async () => {
  await t.close();
});

describe('docs/service.md gRPC examples', () => {
  it('answers every documented call as the document shows (a success and an error)', async () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(2);
    for (const { command, expected } of list) {
      const [, , script, address, method, file] = command.split(' ');
      expect(address).toBe('127.0.0.1:9090');
      const output = await run('node_modules/.bin/tsx', [script as string, t.server.grpc?.address as string, method as string, file as string])
        .then((r) => r.stdout, (err: { stdout?: string; code?: number }) => {
          expect(err.code).toBe(1); // a failed call exits 1 and prints its status
          return err.stdout ?? '';
        });
      expect(comparable(JSON.parse(output)), command).toEqual(comparable(expected));
    }
  }, 60_000);
});
