// @ts-check
import tseslint from 'typescript-eslint';

/** Modules the pure core (src/model, src/algorithm) may never import: it stays free of I/O and adapters. */
const impureModules = [
  'node:*', 'fs', 'http', 'https', 'net', 'os', 'child_process', 'worker_threads',
  '@kubernetes/*', '@grpc/*', 'prom-client', '@opentelemetry/*',
  '**/cluster/**', '**/server/**', '**/telemetry/**', '**/sim/**',
];

/** Declarations at the top of a module (exported or not). */
const topLevel = ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration';
const keepNoState = 'The pure core keeps no module state: the caller owns caches (EvaluationMemo, PlacementEngine, InventoryParseMemo).';

/**
 * Module state the pure core may never declare: mutable bindings, caches and scratch buffers. Constant tables are
 * fine when typed ReadonlyMap/ReadonlySet (built once at load, never written) or frozen.
 */
const moduleState = [
  { selector: `${topLevel}[kind=/^(let|var)$/]`, message: `No mutable module-level binding. ${keepNoState}` },
  { selector: `${topLevel} > VariableDeclarator > NewExpression.init[callee.name=/^Weak(Map|Set|Ref)$/]`, message: `No module-level WeakMap/WeakSet cache. ${keepNoState}` },
  {
    selector: `${topLevel} > VariableDeclarator:not([id.typeAnnotation.typeAnnotation.typeName.name=/^Readonly(Map|Set)$/]) > NewExpression.init[callee.name=/^(Map|Set)$/]`,
    message: `A module-level Map/Set must be a constant table typed ReadonlyMap/ReadonlySet. ${keepNoState}`,
  },
  { selector: `${topLevel} > VariableDeclarator > NewExpression.init[callee.name=/Array$/]`, message: `No module-level scratch array. ${keepNoState}` },
  { selector: `${topLevel} > VariableDeclarator > ArrayExpression.init[elements.length=0]`, message: `No module-level accumulator. ${keepNoState}` },
  { selector: 'PropertyDefinition[static=true][readonly!=true]', message: `No mutable static field. ${keepNoState}` },
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
      'no-restricted-syntax': ['error', ...moduleState],
    },
  },
);
