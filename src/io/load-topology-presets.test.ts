import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPresetDir, loadTopologyPresets } from './load-topology-presets.js';

const repoPresets = new URL('../../topology/presets', import.meta.url).pathname;
const temps: string[] = [];
const tempDir = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-presets-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
afterEach(() => { for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('defaultPresetDir', () => {
  it.each([
    ['from src/io under tsx or vitest', pathToFileURL(join(repoPresets, '../../src/io/load-topology-presets.ts')).href],
    ['from dist/src/io after tsc', pathToFileURL(join(repoPresets, '../../dist/src/io/load-topology-presets.js')).href],
  ])('finds topology/presets %s', (_name, from) => {
    expect(defaultPresetDir(from)).toBe(repoPresets);
  });

  it('throws when no ancestor has topology/presets', () => {
    const dir = tempDir({});
    expect(() => defaultPresetDir(pathToFileURL(join(dir, 'x.js')).href)).toThrow(/cannot find topology\/presets\/index.json/);
  });
});

describe('loadTopologyPresets', () => {
  it('loads every preset of the repo by default', () => {
    const index = JSON.parse(readFileSync(join(repoPresets, 'index.json'), 'utf8')) as Record<string, unknown>;
    const catalog = loadTopologyPresets();
    expect([...catalog.keys()]).toEqual(Object.keys(index));
    expect(catalog.get('hgx-h100-8x-sxm')?.links[0]?.[7]).toEqual({ level: 'NV', bonds: 18 });
  });

  it('loads a directory given explicitly', () => {
    const dir = tempDir({
      'index.json': JSON.stringify({ one: { product: 'T4', gpuCount: 1, memoryMiB: 15360, file: 'one.txt' } }),
      'one.txt': '\tGPU0\tCPU Affinity\tNUMA Affinity\nGPU0\t X \t0-7\t0\n',
    });
    expect(loadTopologyPresets(dir).get('one')).toMatchObject({ gpuCount: 1, numaNodes: [0] });
  });

  it.each([
    ['index.json is not JSON', { 'index.json': '{' }, /cannot load topology presets from ".*index.json": /],
    ['a file is missing', { 'index.json': JSON.stringify({ one: { product: 'T4', gpuCount: 1, memoryMiB: 1, file: 'one.txt' } }) },
      /index\["one"\]\.file: cannot read preset file "one.txt": it is not there/],
    ['a file points outside the directory', { 'index.json': JSON.stringify({ one: { product: 'T4', gpuCount: 1, memoryMiB: 1, file: '../one.txt' } }) },
      /cannot read preset file "..\/one.txt": it is not there/],
  ])('throws with every problem when %s', (_name, files, message) => {
    expect(() => loadTopologyPresets(tempDir(files))).toThrow(message);
  });
});
