import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseGpuRequest, type PodLike } from '../src/model/parse-gpu-request.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The fenced blocks of one language in the README, in order. */
function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

describe('README', () => {
  it('opens with the install-and-start command and the test command that .ci/run runs', () => {
    const first = blocks('sh')[0] ?? '';
    expect(first).toMatch(/^npm ci && npm start\b/m);
    expect(first).toMatch(/^npm test\b/m);
    expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm test\b/m);
  });

  it('shows a pod example that parses to the fractional request it describes', () => {
    const pods = blocks('yaml').map((y) => parse(y) as { kind?: string }).filter((d) => d.kind === 'Pod');
    expect(pods).toHaveLength(1);
    const r = parseGpuRequest(pods[0] as PodLike);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ kind: 'share', gpus: 1, memoryMiB: 10240, computeMilli: 250, interruptible: true, models: ['L4', 'A100'] });
  });

  it('names only request bodies that exist (test/server/docs-examples.test.ts runs them)', () => {
    const files = [...readme.matchAll(/-d @(\S+)/g)].map((m) => m[1] ?? '');
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(existsSync(new URL(`../${f}`, import.meta.url)), f).toBe(true);
  });
});
