import { defineConfig } from 'vitest/config';

/**
 * The end-to-end suite (`npm run test:e2e`): real kube-apiserver, etcd, kube-scheduler and KWOK, built on first
 * use by scripts/e2e/install-binaries.sh. Kept out of `npm test` (test/**\/*.test.ts) because a cold build
 * takes tens of minutes on two cores.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 90 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
