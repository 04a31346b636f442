import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadTopologyPresets } from '../src/io/load-topology-presets.js';
import { canonicalProduct } from '../src/model/gpu-product.js';
import { migProducts, migProfilesFor } from '../src/model/mig-profiles.js';
import { parseNvidiaSmiTopo } from '../src/model/parse-nvidia-smi-topo.js';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const doc = read('docs/topology.md');
/** The first fenced block of `lang` after `heading` in docs/topology.md. */
const block = (heading: string, lang: string): string => {
  const from = doc.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const m = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc.slice(from));
  if (m?.[1] === undefined) throw new Error(`no ${lang} block after ${heading}`);
  return m[1];
};
type NodeDoc = { metadata: { annotations: Record<string, string> } };

describe('docs/topology.md examples', () => {
  it('parses the tessera.io/nvidia-smi-topo example node into NV12 and PIX pairs with SYS across', () => {
    const node = parseYaml(read('docs/examples/topology/node-nvidia-smi-topo.yaml')) as NodeDoc;
    const r = parseNvidiaSmiTopo(node.metadata.annotations['tessera.io/nvidia-smi-topo'] ?? '');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cells = r.value.links.map((row) => row.map((l) => (l.level === 'NV' ? `NV${l.bonds}` : l.level)).join(' '));
    expect(cells).toEqual(['X NV12 SYS SYS', 'NV12 X SYS SYS', 'SYS SYS X PIX', 'SYS SYS PIX X']);
    expect(r.value.numaNodes).toEqual([0, 0, 1, 1]);
    expect(r.value.cpuAffinity).toEqual(['0-31', '0-31', '32-63', '32-63']);
  });

  it('shows the same matrix inline as in the example file', () => {
    const inline = parseYaml(block('### `tessera.io/nvidia-smi-topo`', 'yaml')) as NodeDoc;
    const file = parseYaml(read('docs/examples/topology/node-nvidia-smi-topo.yaml')) as NodeDoc;
    expect(parseNvidiaSmiTopo(inline.metadata.annotations['tessera.io/nvidia-smi-topo'] ?? ''))
      .toEqual(parseNvidiaSmiTopo(file.metadata.annotations['tessera.io/nvidia-smi-topo'] ?? ''));
  });

  it('names a preset that exists in the preset example', () => {
    const node = parseYaml(read('docs/examples/topology/node-topology-preset.yaml')) as NodeDoc;
    const name = node.metadata.annotations['tessera.io/topology-preset'] ?? '';
    expect(loadTopologyPresets().get(name)?.gpuCount).toBe(8);
  });

  it('shows an index.json entry identical to the shipped one', () => {
    const shown = JSON.parse(block('### `tessera.io/topology-preset`', 'json')) as Record<string, unknown>;
    const index = JSON.parse(read('topology/presets/index.json')) as Record<string, unknown>;
    for (const [name, entry] of Object.entries(shown)) expect(entry).toEqual(index[name]);
  });

  it('lists every shipped preset as the catalog has it', () => {
    for (const p of loadTopologyPresets().values()) {
      expect(doc).toContain(`| \`${p.name}\` | ${p.product} | ${p.gpuCount} | ${p.memoryMiB} | ${p.clique === true ? 'yes' : 'no'} | ${p.description ?? ''} |`);
    }
  });

  it.each(migProducts())('lists the %s MIG table exactly as encoded', (product) => {
    const rows = migProfilesFor(product).map((m) =>
      `| ${m.name} | ${m.id} | ${m.memorySlices} | ${m.computeSlices} | ${m.memoryMiB} | ${m.starts.join(',')} | ${m.maxInstances} |`);
    const header = '| Profile | ID | Memory slices | Compute slices | MiB | Starts | Max |\n|---|---|---|---|---|---|---|\n';
    expect(doc).toContain(`**${product}**\n\n${header}${rows.join('\n')}\n`);
  });

  it('maps every label of the product table to the canonical name shown beside it', () => {
    const table = doc.slice(doc.indexOf('| Label | Canonical |'));
    const rows = table.split('\n').slice(2).filter((l) => l.startsWith('|'));
    expect(rows.length).toBeGreaterThan(5);
    const ticks = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    for (const row of rows) {
      const [, labels = '', names = ''] = row.split('|');
      const ls = ticks(labels);
      const ns = ticks(names);
      ls.forEach((label, i) => {
        const expected = ns.length === 0 ? label : ns.length === 1 ? ns[0] : ns[i];
        expect(canonicalProduct(label), label).toBe(expected);
      });
    }
  });
});
