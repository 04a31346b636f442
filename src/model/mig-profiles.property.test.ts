import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MigInstance } from './gpu-device.js';
import { freeMigStarts, isLegalMigLayout, migProducts, migProfilesFor } from './mig-profiles.js';

describe('freeMigStarts and isLegalMigLayout agree (fast-check)', () => {
  it.each(migProducts())('on %s, freeMigStarts offers exactly the starts that keep a random legal layout legal', (product) => {
    const profiles = migProfilesFor(product);
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(profiles.length - 1), fc.nat(7)), { maxLength: 12 }),
      (steps) => {
        const layout: MigInstance[] = [];
        for (const [pi, pick] of steps) {
          const p = profiles[pi];
          if (p === undefined) continue;
          const offered = freeMigStarts(product, layout, p.name);
          for (const s of p.starts) {
            const candidate = [...layout, { profile: p.name, start: s, size: p.memorySlices }];
            expect(isLegalMigLayout(product, candidate)).toBe(offered.includes(s));
          }
          const start = offered[pick % Math.max(offered.length, 1)];
          if (start !== undefined) layout.push({ profile: p.name, start, size: p.memorySlices });
          expect(isLegalMigLayout(product, layout)).toBe(true);
        }
      },
    ), { numRuns: 200, seed: 7 });
  });
});
