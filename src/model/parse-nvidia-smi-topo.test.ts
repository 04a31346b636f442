import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GpuLink, LinkMatrix } from './link-matrix.js';
import { formatNvidiaSmiTopo, parseLinkCell, parseNvidiaSmiTopo } from './parse-nvidia-smi-topo.js';

const capture = (file: string): string => readFileSync(new URL(`../../topology/captures/${file}`, import.meta.url), 'utf8');
const nv = (bonds: number): GpuLink => ({ level: 'NV', bonds });
const lvl = (level: 'PIX' | 'PXB' | 'PHB' | 'NODE' | 'SYS'): GpuLink => ({ level, bonds: 0 });
const X: GpuLink = { level: 'X', bonds: 0 };
/** Builds an n×n matrix from a function of the off-diagonal pair. */
const matrix = (n: number, f: (i: number, j: number) => GpuLink): LinkMatrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? X : f(i, j))));

describe('parseNvidiaSmiTopo on the real captures in topology/captures', () => {
  it.each([
    {
      file: 'a100-sxm4-8x-nv12-3nic.txt', gpuCount: 8, nicCount: 3, links: matrix(8, () => nv(12)),
      numaNodes: [0, 0, 1, 1, 2, 2, 3, 3],
      cpuAffinity: ['0-19,80-99', '0-19,80-99', '20-39,100-119', '20-39,100-119', '40-59,120-139', '40-59,120-139', '60-79,140-159', '60-79,140-159'],
    },
    {
      file: 'h100-sxm-8x-nv18.txt', gpuCount: 8, nicCount: 0, links: matrix(8, () => nv(18)),
      numaNodes: Array(8).fill(null), cpuAffinity: Array(8).fill(''),
    },
    {
      file: 'a100-pcie-4x-bridge-pairs-azure.txt', gpuCount: 4, nicCount: 0,
      links: matrix(4, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? nv(12) : lvl('SYS'))),
      numaNodes: [0, 1, 2, 3], cpuAffinity: ['0-23', '24-47', '48-71', '72-95'],
    },
    {
      file: 'rtx4090-8x-pcie-2nic-tabs.txt', gpuCount: 8, nicCount: 2, links: matrix(8, () => lvl('SYS')),
      numaNodes: [0, 0, 0, 0, 1, 1, 1, 1],
      cpuAffinity: [...Array(4).fill('0-55,112-167'), ...Array(4).fill('56-111,168-223')],
    },
  ])('parses $file into $gpuCount GPUs and drops its $nicCount NICs', ({ file, ...expected }) => {
    expect(parseNvidiaSmiTopo(capture(file))).toEqual({ ok: true, value: expected });
  });

  it('reads the same matrix when the header is wrapped in ANSI underline escapes', () => {
    const text = capture('a100-sxm4-8x-nv12-3nic.txt');
    const [header, ...rest] = text.split('\n');
    const ansi = [`\x1b[4m${header ?? ''}\x1b[0m`, ...rest].join('\n');
    expect(parseNvidiaSmiTopo(ansi)).toEqual(parseNvidiaSmiTopo(text));
  });

  it('reads CRLF line endings, a shell prompt above and the legend below', () => {
    const text = `$ nvidia-smi topo -m\r\n${capture('a100-pcie-4x-bridge-pairs-azure.txt').replace(/\n/g, '\r\n')}\r\nLegend:\r\n\r\n  X    = Self\r\n`;
    const r = parseNvidiaSmiTopo(text);
    expect(r.ok && r.value.links[2]?.[3]).toEqual(nv(12));
  });
});

describe('parseNvidiaSmiTopo on small shapes', () => {
  it.each<[string, string, Partial<{ gpuCount: number; links: LinkMatrix; numaNodes: (number | null)[]; cpuAffinity: string[] }>]>([
    ['a single T4 with tabs and the GPU NUMA ID column', '\tGPU0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\nGPU0\t X \t0-7\t0\t\tN/A\n',
      { gpuCount: 1, links: [[X]], numaNodes: [0], cpuAffinity: ['0-7'] }],
    ['N/A NUMA affinity becomes null', '\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\nGPU0\t X \tPHB\t0-7\tN/A\nGPU1\tPHB\t X \t0-7\tN/A\n',
      { gpuCount: 2, links: matrix(2, () => lvl('PHB')), numaNodes: [null, null] }],
    ['a multi-node NUMA affinity becomes null', '\tGPU0\tCPU Affinity\tNUMA Affinity\nGPU0\t X \t0-63\t0-1\n',
      { numaNodes: [null], cpuAffinity: ['0-63'] }],
    ['legacy SOC reads as SYS', '\tGPU0\tGPU1\nGPU0\t X \tSOC\nGPU1\tSOC\t X \n', { links: matrix(2, () => lvl('SYS')) }],
    ['PIX, PXB and NODE cells with trailing tabs', '\tGPU0\tGPU1\tGPU2\nGPU0\t X \tPIX\tNODE\t\t\nGPU1\tPIX\t X \tPXB\t\nGPU2\tNODE\tPXB\t X \t\n',
      { links: [[X, lvl('PIX'), lvl('NODE')], [lvl('PIX'), X, lvl('PXB')], [lvl('NODE'), lvl('PXB'), X]] }],
  ])('reads %s', (_name, text, expected) => {
    const r = parseNvidiaSmiTopo(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject(expected);
  });
});

describe('parseNvidiaSmiTopo rejects malformed text', () => {
  const header = '\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\n';
  it.each<[string, string, { path: string; message: string }[]]>([
    ['text without a header', 'No devices were found\n',
      [{ path: 'header', message: 'cannot find the header row: expected a line starting with "GPU0"' }]],
    ['a missing row (not square)', `${header}GPU0\t X \tNV4\t0-7\t0\n`,
      [{ path: 'GPU1', message: 'cannot parse topology: row "GPU1" is missing: the matrix must be square (2 GPU columns)' }]],
    ['a row beyond the header', `${header}GPU0\t X \tNV4\t0-7\t0\nGPU1\tNV4\t X \t0-7\t0\nGPU2\tNV4\tNV4\t X \t0-7\t0\n`,
      [{ path: 'GPU2', message: 'cannot read row "GPU2": the header has 2 GPU columns' }]],
    ['a short row', `${header}GPU0\t X \nGPU1\tNV4\t X \t0-7\t0\n`,
      [{ path: 'GPU0', message: 'cannot read row "GPU0": it has 1 link cells: expected 2' }]],
    ['a row that appears twice', `${header}GPU0\t X \tNV4\t0-7\t0\nGPU0\t X \tNV4\t0-7\t0\nGPU1\tNV4\t X \t0-7\t0\n`,
      [{ path: 'GPU0', message: 'cannot read row "GPU0": it appears twice' }]],
    ['an unknown cell', `${header}GPU0\t X \tQPI\t0-7\t0\nGPU1\tQPI\t X \t0-7\t0\n`, [
      { path: 'GPU0.GPU1', message: 'cannot read link "QPI": expected X, NV<k>, PIX, PXB, PHB, NODE or SYS' },
      { path: 'GPU1.GPU0', message: 'cannot read link "QPI": expected X, NV<k>, PIX, PXB, PHB, NODE or SYS' }]],
    ['NV0', `${header}GPU0\t X \tNV0\t0-7\t0\nGPU1\tNV0\t X \t0-7\t0\n`, [
      { path: 'GPU0.GPU1', message: 'cannot read link "NV0": expected X, NV<k>, PIX, PXB, PHB, NODE or SYS' },
      { path: 'GPU1.GPU0', message: 'cannot read link "NV0": expected X, NV<k>, PIX, PXB, PHB, NODE or SYS' }]],
    ['an asymmetric matrix', `${header}GPU0\t X \tNV4\t0-7\t0\nGPU1\tNV8\t X \t0-7\t0\n`,
      [{ path: 'GPU0.GPU1', message: 'cannot accept asymmetric links: "NV4" at GPU0.GPU1 but "NV8" at GPU1.GPU0' }]],
    ['X off the diagonal', `${header}GPU0\t X \t X \t0-7\t0\nGPU1\tSYS\t X \t0-7\t0\n`,
      [{ path: 'GPU0.GPU1', message: 'cannot read link "X": X only belongs on the diagonal' }]],
    ['a diagonal that is not X', `${header}GPU0\tSYS\tSYS\t0-7\t0\nGPU1\tSYS\t X \t0-7\t0\n`,
      [{ path: 'GPU0.GPU0', message: 'cannot read link "SYS": the diagonal must be X' }]],
    ['an unknown header column', '\tGPU0\tCPU Affinity\tPower\nGPU0\t X \t0-7\t100W\n',
      [{ path: 'header', message: 'cannot read header column "Power": expected "CPU Affinity", "NUMA Affinity", "GPU NUMA ID"' }]],
    ['GPU columns out of order', '\tGPU0\tGPU2\nGPU0\t X \tSYS\nGPU1\tSYS\t X \n',
      [{ path: 'header', message: 'cannot read column "GPU2": expected "GPU1"' }]],
    ['a stray line inside the matrix', `${header}GPU0\t X \tNV4\t0-7\t0\n...\nGPU1\tNV4\t X \t0-7\t0\n`,
      [{ path: '...', message: 'cannot read line "...": expected a GPU<n> or NIC<n> row' }]],
  ])('rejects %s', (_name, text, errors) => {
    expect(parseNvidiaSmiTopo(text)).toEqual({ ok: false, errors });
  });
});

describe('formatNvidiaSmiTopo', () => {
  it.each([
    ['NVSwitch', matrix(8, () => nv(18)), [0, 0, 0, 0, 1, 1, 1, 1], Array(8).fill('0-7')],
    ['bridge pairs', matrix(4, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? nv(12) : lvl('SYS'))), [0, 1, 2, 3], ['0', '1', '2', '3']],
    ['mixed PCIe levels', [[X, lvl('PIX'), lvl('PHB')], [lvl('PIX'), X, lvl('NODE')], [lvl('PHB'), lvl('NODE'), X]], [null, null, null], ['N/A', 'N/A', 'N/A']],
  ])('round-trips a %s matrix through parseNvidiaSmiTopo', (_name, links, numaNodes, cpuAffinity) => {
    const r = parseNvidiaSmiTopo(formatNvidiaSmiTopo(links, numaNodes, cpuAffinity));
    expect(r).toEqual({ ok: true, value: { gpuCount: links.length, links, numaNodes, cpuAffinity, nicCount: 0 } });
  });
});

describe('parseLinkCell', () => {
  it.each([
    ['X', X], ['NV1', nv(1)], ['NV12', nv(12)], ['NV18', nv(18)], ['PIX', lvl('PIX')], ['PXB', lvl('PXB')],
    ['PHB', lvl('PHB')], ['NODE', lvl('NODE')], ['SYS', lvl('SYS')], ['nv12', null], ['NV', null], ['N/A', null],
  ])('parseLinkCell(%j) is %j', (cell, link) => {
    expect(parseLinkCell(cell)).toEqual(link);
  });
});
