import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GpuLink, LinkMatrix } from './link-matrix.js';
import { formatNvidiaSmiTopo } from './parse-nvidia-smi-topo.js';
import type { PresetCatalog } from './topology-preset.js';
import { buildPresetCatalog, generatedPcieMatrix, inferTopology } from './topology-preset.js';

const presetDir = new URL('../../topology/presets/', import.meta.url);
const realSource = () => ({
  index: JSON.parse(readFileSync(new URL('index.json', presetDir), 'utf8')) as unknown,
  files: Object.fromEntries(readdirSync(presetDir).filter((f) => f.endsWith('.txt')).map((f) => [f, readFileSync(new URL(f, presetDir), 'utf8')])),
});
const realCatalog = (): PresetCatalog => {
  const r = buildPresetCatalog(realSource());
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const cell = (l: GpuLink | undefined): string => (l === undefined ? '?' : l.level === 'NV' ? `NV${l.bonds}` : l.level);
/** Every off-diagonal cell of `links`, as strings, computed by `f`. */
const expectCells = (links: LinkMatrix, f: (i: number, j: number) => string): void => {
  links.forEach((row, i) => row.forEach((l, j) => expect(cell(l), `GPU${i}.GPU${j}`).toBe(i === j ? 'X' : f(i, j))));
};

describe('the preset catalog in topology/presets', () => {
  const catalog = realCatalog();
  const sameSocket = (i: number, j: number): boolean => Math.floor(i / 4) === Math.floor(j / 4);
  it.each<[string, string, number, boolean, (i: number, j: number) => string, (number | null)[]]>([
    ['dgx-a100-8x-sxm', 'A100-80GB', 8, false, () => 'NV12', [0, 0, 1, 1, 2, 2, 3, 3]],
    ['hgx-h100-8x-sxm', 'H100-80GB', 8, false, () => 'NV18', [0, 0, 0, 0, 1, 1, 1, 1]],
    ['hgx-h200-8x-sxm', 'H200-141GB', 8, false, () => 'NV18', [0, 0, 0, 0, 1, 1, 1, 1]],
    ['hgx-b200-8x', 'B200', 8, false, () => 'NV18', [0, 0, 0, 0, 1, 1, 1, 1]],
    ['gb200-nvl72-node', 'GB200', 4, true, () => 'NV18', [0, 0, 1, 1]],
    ['a100-pcie-4x-bridge-pairs', 'A100-80GB', 4, false, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? 'NV12' : 'SYS'), [0, 1, 2, 3]],
    ['l40s-8x-pcie-2socket', 'L40S', 8, false,
      (i, j) => (!sameSocket(i, j) ? 'SYS' : Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'NODE'), [0, 0, 0, 0, 1, 1, 1, 1]],
    ['l4-8x-pcie-2socket', 'L4', 8, false,
      (i, j) => (!sameSocket(i, j) ? 'SYS' : Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'PXB'), [0, 0, 0, 0, 1, 1, 1, 1]],
    ['t4-1x', 'T4', 1, false, () => 'none', [0]],
    ['t4-2x', 'T4', 2, false, () => 'PHB', [0, 0]],
  ])('preset %s is %s x%i (clique %s) with the documented links', (name, product, gpuCount, clique, f, numaNodes) => {
    const p = catalog.get(name);
    expect(p).toMatchObject({ name, product, gpuCount, clique, numaNodes });
    expect(p?.links).toHaveLength(gpuCount);
    expectCells(p?.links ?? [], f);
  });

  it('holds exactly the documented presets, each symmetric with X only on the diagonal', () => {
    expect([...catalog.keys()].sort()).toEqual([
      'a100-pcie-4x-bridge-pairs', 'dgx-a100-8x-sxm', 'gb200-nvl72-node', 'hgx-b200-8x', 'hgx-h100-8x-sxm', 'hgx-h200-8x-sxm',
      'l4-8x-pcie-2socket', 'l40s-8x-pcie-2socket', 't4-1x', 't4-2x',
    ]);
    for (const p of catalog.values()) {
      p.links.forEach((row, i) => row.forEach((l, j) => {
        expect(l).toEqual(p.links[j]?.[i]);
        expect(l.level === 'X').toBe(i === j);
      }));
      expect(p.description).toMatch(/\S/);
    }
  });
});

describe('buildPresetCatalog rejects a bad index', () => {
  const two = formatNvidiaSmiTopo([[{ level: 'X', bonds: 0 }, { level: 'PHB', bonds: 0 }], [{ level: 'PHB', bonds: 0 }, { level: 'X', bonds: 0 }]], [0, 0]);
  const entry = { product: 'T4', gpuCount: 2, memoryMiB: 15360, file: 'two.txt' };
  it.each<[string, unknown, Record<string, string>, { path: string; message: string }[]]>([
    ['an index that is not an object', [], {}, [{ path: 'index', message: 'cannot read the preset index: expected an object of preset name -> entry' }]],
    ['a bad preset name', { 'Two T4': entry }, { 'two.txt': two },
      [{ path: 'index["Two T4"]', message: 'cannot use preset name "Two T4": expected lower-case letters, digits and dashes' }]],
    ['a non-canonical product', { two: { ...entry, product: 'Tesla-T4' } }, { 'two.txt': two },
      [{ path: 'index["two"].product', message: 'cannot use product "Tesla-T4": the canonical name is "T4"' }]],
    ['a GPU count that disagrees with the file', { two: { ...entry, gpuCount: 4 } }, { 'two.txt': two },
      [{ path: 'index["two"].gpuCount', message: 'cannot accept gpuCount 4: "two.txt" has 2 GPUs' }]],
    ['a missing file', { two: entry }, {}, [{ path: 'index["two"].file', message: 'cannot read preset file "two.txt": it is not there' }]],
    ['a bad memory and clique', { two: { ...entry, memoryMiB: -1, clique: 'yes' } }, { 'two.txt': two }, [
      { path: 'index["two"].memoryMiB', message: 'cannot read memoryMiB -1: expected an integer >= 1' },
      { path: 'index["two"].clique', message: 'cannot read clique "yes": expected true or false' }]],
    ['a malformed matrix', { two: entry }, { 'two.txt': two.replace('PHB\t X', 'SYS\t X') },
      [{ path: 'two.txt:GPU0.GPU1', message: 'cannot accept asymmetric links: "PHB" at GPU0.GPU1 but "SYS" at GPU1.GPU0' }]],
  ])('reports %s with its path', (_name, index, files, errors) => {
    expect(buildPresetCatalog({ index, files })).toEqual({ ok: false, errors });
  });

  it('accepts a valid entry and defaults clique to false', () => {
    const r = buildPresetCatalog({ index: { two: entry }, files: { 'two.txt': two } });
    expect(r.ok && r.value.get('two')).toMatchObject({ name: 'two', product: 'T4', gpuCount: 2, memoryMiB: 15360, clique: false, numaNodes: [0, 0] });
  });
});

describe('inferTopology', () => {
  const catalog = realCatalog();
  it.each<[string, string, number, 'sxm' | 'pcie' | undefined, string]>([
    ['8x H100-80GB SXM gets the H100 NVSwitch preset', 'H100-80GB', 8, undefined, 'hgx-h100-8x-sxm'],
    ['8x H200 gets the H200 preset', 'H200-141GB', 8, undefined, 'hgx-h200-8x-sxm'],
    ['8x B200 gets the B200 preset', 'B200', 8, undefined, 'hgx-b200-8x'],
    ['8x A100-40GB SXM gets the DGX A100 preset', 'A100-40GB', 8, 'sxm', 'dgx-a100-8x-sxm'],
    ['4x GB200 gets the NVL72 node preset', 'GB200', 4, undefined, 'gb200-nvl72-node'],
    ['8x A100 PCIe is PCIe, not NVSwitch', 'A100-40GB', 8, 'pcie', 'inferred-pcie-8x'],
    ['4x H100 SXM is a partial board, so PCIe', 'H100-80GB', 4, undefined, 'inferred-pcie-4x'],
    ['8x L40S is PCIe', 'L40S', 8, undefined, 'inferred-pcie-8x'],
    ['an unknown product is PCIe', 'NVIDIA-GeForce-RTX-4090', 8, 'sxm', 'inferred-pcie-8x'],
    ['1x T4 is PCIe', 'T4', 1, undefined, 'inferred-pcie-1x'],
  ])('%s', (_name, product, gpuCount, formFactor, presetName) => {
    const r = inferTopology(product, gpuCount, catalog, formFactor === undefined ? {} : { formFactor });
    expect(r.preset.name).toBe(presetName);
    expect(r.preset.product).toBe(product);
    expect(r.preset.gpuCount).toBe(gpuCount);
    expect(r.preset.links).toHaveLength(gpuCount);
    expect(r.source).toContain(presetName);
  });

  it('keeps the node product and memory when it reuses a board preset of another memory size', () => {
    const r = inferTopology('A100-40GB', 8, catalog);
    expect(r.preset).toMatchObject({ name: 'dgx-a100-8x-sxm', product: 'A100-40GB', memoryMiB: 40960 });
    expect(r.source).toBe('preset "dgx-a100-8x-sxm": 8x A100-40GB SXM is the vendor\'s NVSwitch board');
  });

  it('marks the GB200 node as part of a clique and explains PCIe fallbacks', () => {
    expect(inferTopology('GB200', 4, catalog).preset.clique).toBe(true);
    expect(inferTopology('H100-80GB', 4, catalog).source).toBe(
      'inferred-pcie-4x: 4x H100-80GB SXM is not a full 8-GPU board, assuming PCIe (PIX pairs, NODE within a NUMA half, SYS across)');
    expect(inferTopology('H100-80GB', 8, new Map()).source).toContain('preset "hgx-h100-8x-sxm" is not in the catalog');
    expect(inferTopology('Foo', 2, catalog).preset.memoryMiB).toBe(0);
  });
});

describe('generatedPcieMatrix', () => {
  it.each<[number, (i: number, j: number) => string, number[]]>([
    [1, () => 'none', [0]],
    [2, () => 'PIX', [0, 0]],
    [3, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'NODE'), [0, 0, 0]],
    [4, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'SYS'), [0, 0, 1, 1]],
    [8, (i, j) => (Math.floor(i / 4) !== Math.floor(j / 4) ? 'SYS' : Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'NODE'), [0, 0, 0, 0, 1, 1, 1, 1]],
  ])('builds %i GPUs as PIX pairs, NODE within a NUMA half and SYS across', (n, f, numa) => {
    const m = generatedPcieMatrix(n);
    expect(m.numaNodes).toEqual(numa);
    expectCells(m.links, f);
  });
});
