import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve('node_modules/.bin');
const GENERATED = 'src/server/grpc/gen';
const out = mkdtempSync(join(tmpdir(), 'tessera-proto-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs buf (the pinned @bufbuild/buf devDependency) with node_modules/.bin on PATH (for protoc-gen-es). */
async function buf(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(join(BIN, 'buf'), args, { env: { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}` } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Every file under `dir`, by path relative to it. */
function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return found;
}

describe('proto/tessera/v1/scheduler.proto', () => {
  it('passes buf lint (STANDARD and COMMENTS) and is buf-formatted', async () => {
    expect(await buf(['lint'])).toEqual({ code: 0, output: '' });
    expect(await buf(['format', '--diff', '--exit-code'])).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('has its generated TypeScript committed and current (npm run proto:generate writes the same files)', async () => {
    const generated = await buf(['generate', '--output', out]);
    expect(generated).toEqual({ code: 0, output: '' });
    const fresh = files(join(out, GENERATED));
    const committed = files(GENERATED);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    expect(fresh.size).toBeGreaterThanOrEqual(3);
    for (const [path, text] of fresh) expect(committed.get(path), `${GENERATED}/${path} is stale: run npm run proto:generate`).toBe(text);
  }, 60_000);
});
