import { describe, expect, it } from 'vitest';
import type { MigInstance } from './gpu-device.js';
import {
  freeMigStarts, isLegalMigLayout, migLayoutError, migProducts, migProfile, migProfilesFor,
} from './mig-profiles.js';

const at = (profile: string, start: number, size: number): MigInstance => ({ profile, start, size });

describe('migProfile', () => {
  it.each([
    // product, name, id, memory slices, compute slices, MiB, starts, max
    ['A100-40GB', '1g.5gb', 19, 1, 1, 4864, [0, 1, 2, 3, 4, 5, 6], 7],
    ['A100-40GB', '1g.5gb+me', 20, 1, 1, 4864, [0, 1, 2, 3, 4, 5, 6], 1],
    ['A100-40GB', '1g.10gb', 15, 2, 1, 9856, [0, 2, 4, 6], 4],
    ['A100-40GB', '2g.10gb', 14, 2, 2, 9856, [0, 2, 4], 3],
    ['A100-40GB', '3g.20gb', 9, 4, 3, 19968, [0, 4], 2],
    ['A100-40GB', '4g.20gb', 5, 4, 4, 19968, [0], 1],
    ['A100-40GB', '7g.40gb', 0, 8, 7, 40192, [0], 1],
    ['A100-80GB', '1g.10gb', 19, 1, 1, 9856, [0, 1, 2, 3, 4, 5, 6], 7],
    ['A100-80GB', '1g.20gb', 15, 2, 1, 19968, [0, 2, 4, 6], 4],
    ['A100-80GB', '7g.80gb', 0, 8, 7, 80384, [0], 1],
    ['H100-80GB', '1g.10gb+me', 20, 1, 1, 9856, [0, 1, 2, 3, 4, 5, 6], 1],
    ['H100-80GB', '3g.40gb', 9, 4, 3, 40192, [0, 4], 2],
    ['H100-80GB', '4g.40gb', 5, 4, 4, 40192, [0], 1],
    ['H200-141GB', '1g.18gb', 19, 1, 1, 17920, [0, 1, 2, 3, 4, 5, 6], 7],
    ['H200-141GB', '1g.35gb', 15, 2, 1, 35840, [0, 2, 4, 6], 4],
    ['H200-141GB', '7g.141gb', 0, 8, 7, 143616, [0], 1],
    ['B200', '1g.23gb', 19, 1, 1, 23552, [0, 1, 2, 3, 4, 5, 6], 7],
    ['B200', '2g.45gb', 14, 2, 2, 46080, [0, 2, 4], 3],
    ['B200', '3g.90gb', 9, 4, 3, 92160, [0, 4], 2],
    ['B200', '7g.180gb', 0, 8, 7, 184320, [0], 1],
    ['H100-94GB', '4g.47gb', 5, 4, 4, 47488, [0], 1],
    ['GH200', '1g.12gb', 19, 1, 1, 11776, [0, 1, 2, 3, 4, 5, 6], 7],
  ] as const)('migProfile(%s, %s) has id %i, %i memory and %i compute slices, %i MiB', (product, name, id, mem, cmp, mib, starts, max) => {
    expect(migProfile(product, name)).toEqual({
      name, id, memorySlices: mem, computeSlices: cmp, memoryMiB: mib, starts, maxInstances: max,
      mediaExtensions: name.endsWith('+me'),
    });
  });

  it.each([
    ['A100-40GB', '3g.40gb'],
    ['H100-80GB', '3g.20gb'],
    ['B200', '7g.141gb'],
    ['L4', '1g.5gb'],
    ['A100-40GB', '3G.20GB'],
  ])('migProfile(%s, %s) is null because the names differ per product', (product, name) => {
    expect(migProfile(product, name)).toBeNull();
  });

  it('gives 3g.40gb on H100-80GB but not on A100-40GB', () => {
    expect(migProfile('H100-80GB', '3g.40gb')?.memorySlices).toBe(4);
    expect(migProfile('A100-40GB', '3g.40gb')).toBeNull();
  });

  it.each(migProducts())('every %s profile fits the 8-slice axis from every start and never starts a 1-slice profile at 7', (product) => {
    const profiles = migProfilesFor(product);
    expect(profiles.map((p) => p.id)).toEqual([19, 20, 15, 14, 9, 5, 0]);
    for (const p of profiles) {
      for (const s of p.starts) expect(s + p.memorySlices).toBeLessThanOrEqual(8);
      expect(p.starts).not.toContain(7);
      expect(p.memoryMiB).toBeGreaterThan(0);
    }
    const memory = profiles.map((p) => [p.memorySlices, p.memoryMiB] as const);
    for (const [slices, mib] of memory) for (const [s2, m2] of memory) if (slices < s2) expect(mib).toBeLessThan(m2);
  });

  it('returns no profiles for a product without MIG', () => {
    expect(migProfilesFor('T4')).toEqual([]);
  });
});

describe('freeMigStarts', () => {
  it.each<[string, string, readonly MigInstance[], string, number[]]>([
    ['an empty A100-40GB offers 3g.20gb at 0 and 4', 'A100-40GB', [], '3g.20gb', [0, 4]],
    ['after a 3g at 0 the next 3g.20gb goes only at 4', 'A100-40GB', [at('3g.20gb', 0, 4)], '3g.20gb', [4]],
    ['two 3g instances leave no room for a 1g', 'A100-40GB', [at('3g.20gb', 0, 4), at('3g.20gb', 4, 4)], '1g.5gb', []],
    ['1g never starts at slice 7', 'A100-40GB', [], '1g.5gb', [0, 1, 2, 3, 4, 5, 6]],
    ['a 4g at 0 leaves 1g starts 4..6', 'A100-40GB', [at('4g.20gb', 0, 4)], '1g.5gb', [4, 5, 6]],
    ['a 4g at 0 still admits a 3g at 4', 'A100-40GB', [at('4g.20gb', 0, 4)], '3g.20gb', [4]],
    ['a 3g at 4 still admits a 4g at 0', 'H100-80GB', [at('3g.40gb', 4, 4)], '4g.40gb', [0]],
    ['a 7g excludes everything', 'A100-80GB', [at('7g.80gb', 0, 8)], '1g.10gb', []],
    ['nothing fits beside a 1g so a 7g is refused', 'A100-80GB', [at('1g.10gb', 6, 1)], '7g.80gb', []],
    ['+me only once per GPU', 'H100-80GB', [at('1g.10gb+me', 0, 1)], '1g.10gb+me', []],
    ['a plain 1g is still allowed beside a +me', 'H100-80GB', [at('1g.10gb+me', 0, 1)], '1g.10gb', [1, 2, 3, 4, 5, 6]],
    ['2-slice 1g profiles align to even starts', 'B200', [at('1g.23gb', 2, 1)], '1g.45gb', [0, 4, 6]],
    ['2g.45gb never starts at 6', 'B200', [at('2g.45gb', 0, 2)], '2g.45gb', [2, 4]],
    ['three 2g and a 1g fill every usable slice (slice 7 alone is unreachable)', 'A100-40GB',
      [at('2g.10gb', 0, 2), at('2g.10gb', 2, 2), at('2g.10gb', 4, 2), at('1g.5gb', 6, 1)], '1g.10gb', []],
    ['four 1g.10gb on A100-40GB is the maximum', 'A100-40GB',
      [at('1g.10gb', 0, 2), at('1g.10gb', 2, 2), at('1g.10gb', 4, 2)], '1g.10gb', [6]],
    ['an unknown profile yields no starts', 'A100-40GB', [], '3g.40gb', []],
    ['an unknown existing instance yields no starts', 'A100-40GB', [at('9g.99gb', 0, 1)], '1g.5gb', []],
    ['a product without MIG yields no starts', 'T4', [], '1g.5gb', []],
  ])('%s', (_name, product, existing, profile, expected) => {
    expect(freeMigStarts(product, existing, profile)).toEqual(expected);
  });

  it.each(migProducts())('on %s every offered start keeps the layout legal', (product) => {
    // Greedy fill with each profile in turn: every start freeMigStarts offers must keep the layout legal.
    for (const first of migProfilesFor(product)) {
      const layout: MigInstance[] = [];
      for (let round = 0; round < 8; round += 1) {
        for (const p of migProfilesFor(product)) {
          const name = round === 0 ? first.name : p.name;
          const starts = freeMigStarts(product, layout, name);
          for (const s of starts) {
            expect(isLegalMigLayout(product, [...layout, at(name, s, migProfile(product, name)?.memorySlices ?? 0)])).toBe(true);
          }
          const s0 = starts[0];
          if (s0 !== undefined) layout.push(at(name, s0, migProfile(product, name)?.memorySlices ?? 0));
        }
      }
      expect(isLegalMigLayout(product, layout)).toBe(true);
    }
  });
});

describe('isLegalMigLayout', () => {
  it.each<[string, string, readonly MigInstance[], string | null]>([
    ['an empty layout is legal', 'A100-40GB', [], null],
    ['4g+3g is legal', 'A100-40GB', [at('4g.20gb', 0, 4), at('3g.20gb', 4, 4)], null],
    ['seven 1g instances are legal', 'H200-141GB', [0, 1, 2, 3, 4, 5, 6].map((s) => at('1g.18gb', s, 1)), null],
    ['a 4g and three 1g are legal', 'B200', [at('4g.90gb', 0, 4), at('1g.23gb', 4, 1), at('1g.23gb', 5, 1), at('1g.23gb', 6, 1)], null],
    ['7g with anything else overlaps', 'A100-40GB', [at('7g.40gb', 0, 8), at('1g.5gb', 0, 1)],
      'instance 1: "1g.5gb" at 0 overlaps instance 0 on memory slice 0'],
    ['two +me instances are refused', 'H100-80GB', [at('1g.10gb+me', 0, 1), at('1g.10gb+me', 1, 1)],
      'instance 1: more than 1 "1g.10gb+me" instances'],
    ['a 1g at slice 7 is refused', 'A100-40GB', [at('1g.5gb', 7, 1)],
      'instance 0: "1g.5gb" cannot start at 7: allowed starts are 0,1,2,3,4,5,6'],
    ['a 3g at 2 is refused', 'A100-80GB', [at('3g.40gb', 2, 4)],
      'instance 0: "3g.40gb" cannot start at 2: allowed starts are 0,4'],
    ['a wrong size is refused', 'A100-80GB', [at('3g.40gb', 0, 3)],
      'instance 0: "3g.40gb" has size 3: the profile uses 4 memory slices'],
    ['another product\'s profile name is refused', 'A100-40GB', [at('3g.40gb', 0, 4)],
      'instance 0: profile "3g.40gb" does not exist on A100-40GB'],
    ['three 2g and a 2-slice 1g use exactly 7 compute slices and are legal', 'A100-40GB',
      [at('2g.10gb', 0, 2), at('2g.10gb', 2, 2), at('2g.10gb', 4, 2), at('1g.10gb', 6, 2)], null],
    ['a non-MIG product is refused', 'L4', [], 'product "L4" does not support MIG'],
  ])('%s', (_name, product, layout, error) => {
    expect(migLayoutError(product, layout)).toBe(error);
    expect(isLegalMigLayout(product, layout)).toBe(error === null);
  });

  it('refuses 3g+3g+1g because of memory although compute would fit', () => {
    expect(isLegalMigLayout('A100-40GB', [at('3g.20gb', 0, 4), at('3g.20gb', 4, 4), at('1g.5gb', 6, 1)])).toBe(false);
  });
});
