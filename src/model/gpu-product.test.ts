import { describe, expect, it } from 'vitest';
import { canonicalProduct, formFactorOf, knownProducts, modelMatches, productSpec, UNKNOWN_PRODUCT_MEMORY_MIB } from './gpu-product.js';

describe('canonicalProduct', () => {
  it.each([
    ['NVIDIA-A100-SXM4-80GB', 'A100-80GB'],
    ['NVIDIA-A100-SXM4-40GB', 'A100-40GB'],
    ['NVIDIA-A100-PCIE-40GB', 'A100-40GB'],
    ['NVIDIA-A100-80GB-PCIe', 'A100-80GB'],
    ['NVIDIA-A100-SXM4-40GB-MIG-1g.5gb', 'A100-40GB'],
    ['NVIDIA-A100-SXM4-80GB-SHARED', 'A100-80GB'],
    ['NVIDIA-H100-80GB-HBM3', 'H100-80GB'],
    ['NVIDIA-H100-PCIe', 'H100-80GB'],
    ['NVIDIA-H100-SXM5-80GB', 'H100-80GB'],
    ['NVIDIA-H100-NVL', 'H100-94GB'],
    ['NVIDIA-H200', 'H200-141GB'],
    ['NVIDIA-H200-NVL', 'H200-141GB'],
    ['NVIDIA-GH200-480GB', 'GH200'],
    ['NVIDIA-GH200-144G-HBM3e', 'GH200-144GB'],
    ['NVIDIA-B200', 'B200'],
    ['NVIDIA-GB200', 'GB200'],
    ['NVIDIA-L40S', 'L40S'],
    ['NVIDIA-L4', 'L4'],
    ['Tesla-T4', 'T4'],
    ['NVIDIA-A10', 'A10'],
    ['Tesla-P100-PCIE-16GB', 'P100'],
    ['Tesla-V100-SXM2-32GB', 'V100M32'],
    ['Tesla-V100-SXM2-16GB', 'V100M16'],
    ['G1', 'G1'],
    ['G2', 'G2'],
    ['G3', 'G3'],
    ['V100M16', 'V100M16'],
    ['V100M32', 'V100M32'],
    ['A100-40GB', 'A100-40GB'],
    ['a100-80gb', 'A100-80GB'],
    ['H100-80GB', 'H100-80GB'],
    ['H200-141GB', 'H200-141GB'],
    ['  T4  ', 'T4'],
    ['NVIDIA-GeForce-RTX-4090', 'NVIDIA-GeForce-RTX-4090'],
    ['  NVIDIA-L40  ', 'NVIDIA-L40'],
    ['NVIDIA-A10G', 'NVIDIA-A10G'],
    ['NVIDIA-H100-96GB', 'NVIDIA-H100-96GB'],
    ['', ''],
  ])('canonicalProduct(%j) is %j', (label, expected) => {
    expect(canonicalProduct(label)).toBe(expected);
  });

  it.each(knownProducts())('canonicalProduct keeps the canonical name %s unchanged', (name) => {
    expect(canonicalProduct(name)).toBe(name);
  });
});

describe('productSpec', () => {
  it.each([
    ['A100-40GB', 40960, true, 'sxm', 12, 'dgx-a100-8x-sxm'],
    ['A100-80GB', 81920, true, 'sxm', 12, 'dgx-a100-8x-sxm'],
    ['H100-80GB', 81559, true, 'sxm', 18, 'hgx-h100-8x-sxm'],
    ['H200-141GB', 143771, true, 'sxm', 18, 'hgx-h200-8x-sxm'],
    ['B200', 184320, true, 'sxm', 18, 'hgx-b200-8x'],
    ['GB200', 189471, false, 'sxm', 18, 'gb200-nvl72-node'],
    ['L40S', 46068, false, 'pcie', null, null],
    ['L4', 23034, false, 'pcie', null, null],
    ['T4', 15360, false, 'pcie', null, null],
    ['A10', 23028, false, 'pcie', null, null],
    ['V100M32', 32510, false, 'pcie', null, null],
    ['G2', UNKNOWN_PRODUCT_MEMORY_MIB, false, 'pcie', null, null],
  ] as const)('productSpec(%s) has %i MiB, MIG %s, form factor %s, NV%s, board preset %s', (name, mib, mig, ff, bonds, preset) => {
    const spec = productSpec(name);
    expect(spec).toMatchObject({ name, memoryMiB: mib, mig, formFactor: ff, nvlinkBonds: bonds, boardPreset: preset });
  });

  it('marks undisclosed trace models as unknown memory and known ones as known', () => {
    expect(productSpec('G1')?.memoryKnown).toBe(false);
    expect(productSpec('P100')?.memoryKnown).toBe(true);
  });

  it('returns null for products not in the table', () => {
    expect(productSpec('NVIDIA-GeForce-RTX-4090')).toBeNull();
    expect(productSpec('a100-40gb')).toBeNull();
  });
});

describe('formFactorOf', () => {
  it.each([
    ['NVIDIA-A100-PCIE-40GB', 'pcie'],
    ['NVIDIA-A100-SXM4-40GB', 'sxm'],
    ['NVIDIA-H100-PCIe', 'pcie'],
    ['NVIDIA-H100-80GB-HBM3', 'sxm'],
    ['NVIDIA-H200-NVL', 'pcie'],
    ['NVIDIA-B200', 'sxm'],
    ['NVIDIA-L4', 'pcie'],
    ['NVIDIA-GeForce-RTX-4090', 'pcie'],
  ])('formFactorOf(%s) is %s', (label, ff) => {
    expect(formFactorOf(label)).toBe(ff);
  });
});

describe('modelMatches', () => {
  it.each<[string, readonly string[], string, boolean]>([
    ['H100 matches H100-80GB', ['H100'], 'H100-80GB', true],
    ['H100 matches H100-94GB', ['H100'], 'H100-94GB', true],
    ['matching is case-insensitive', ['h100'], 'H100-80GB', true],
    ['A100-80GB does not match A100-40GB', ['A100-80GB'], 'A100-40GB', false],
    ['A100 matches both A100 sizes', ['A100'], 'A100-40GB', true],
    ['A10 does not match A100-40GB', ['A10'], 'A100-40GB', false],
    ['A10 matches A10', ['A10'], 'A10', true],
    ['L4 does not match L40S', ['L4'], 'L40S', false],
    ['one alternative of several suffices', ['L4', 'H100'], 'H100-80GB', true],
    ['a GFD label entry canonicalises', ['NVIDIA-A100-SXM4-80GB'], 'A100-80GB', true],
    ['V100 matches the trace code V100M32', ['V100'], 'V100M32', true],
    ['V100M16 does not match V100M32', ['V100M16'], 'V100M32', false],
    ['an empty list allows every product', [], 'T4', true],
    ['blank entries match nothing', ['', ' '], 'T4', false],
    ['H200 does not match GH200', ['H200'], 'GH200', false],
    ['B200 does not match GB200', ['B200'], 'GB200', false],
  ])('%s', (_name, allowed, product, expected) => {
    expect(modelMatches(allowed, product)).toBe(expected);
  });
});
