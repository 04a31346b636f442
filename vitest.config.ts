import { defineConfig } from 'vitest/config';

/**
 * Two projects, one run (`npm test`), one JSON report for CI's counts:
 * - unit: type-check, lint, unit, property and integration tests (about 90 s);
 * - e2e:  real kube-apiserver, etcd, kube-scheduler and KWOK (test/e2e, scripts/e2e/install-binaries.sh builds and
 *         caches the binaries on first use). It runs after `unit` (groupOrder) so its timings are not disturbed.
 */
export default defineConfig({
  test: {
    benchmark: { include: ['bench/**/*.bench.ts', 'src/**/*.bench.ts'] },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 60_000,
          pool: 'forks',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 90 * 60_000,
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
