// @ts-check
import tseslint from 'typescript-eslint';

/** Modules the pure core (src/model, src/algorithm) may never import: it stays free of I/O and adapters. */
const impureModules = [
  'node:*', 'fs', 'http', 'https', 'net', 'os', 'child_process', 'worker_threads',
  '@kubernetes/*', '@grpc/*', 'prom-client', '@opentelemetry/*',
  '**/cluster/**', '**/server/**', '**/telemetry/**', '**/sim/**',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.e2e/**', 'out/**', 'bench/k6/**',
    // Generated from proto/ by `npm run proto:generate` (test/server/grpc-proto.test.ts checks it is current).
    'src/server/grpc/gen/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-globals': 'off',
    },
  },
  {
    files: ['src/model/**/*.ts', 'src/algorithm/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.bench.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: impureModules, message: 'The pure core must not import I/O or adapters.' }] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Inject the clock: the core is pure.' },
        { object: 'Math', property: 'random', message: 'Inject the rng: the core is deterministic.' },
        { object: 'process', message: 'The pure core reads no environment.' }],
    },
  },
);
