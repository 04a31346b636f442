import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** Messages of the lint rule on `code` as if it were the pure-core module `path`. */
async function moduleStateErrors(code: string, path = 'src/algorithm/example.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('the lint rule that keeps module state out of src/model and src/algorithm', () => {
  it.each([
    ['a WeakMap cache', 'const cache = new WeakMap<object, number>();\nexport const f = (o: object): number => cache.get(o) ?? 0;\n'],
    ['a Map cache', 'const memo = new Map<string, number>();\nexport const f = (k: string): number => memo.get(k) ?? 0;\n'],
    ['an exported Set', 'export const seen = new Set<string>();\n'],
    ['a Map typed as Map', 'const memo: Map<string, number> = new Map();\nexport const f = (k: string): number => memo.get(k) ?? 0;\n'],
    ['a mutable binding', 'let best = 0;\nexport const f = (x: number): number => { best = Math.max(best, x); return best; };\n'],
    ['a scratch buffer', 'const scratch = new Float64Array(64);\nexport const f = (): number => scratch[0] ?? 0;\n'],
    ['an accumulator', 'const seen: string[] = [];\nexport const f = (s: string): number => seen.push(s);\n'],
    ['a mutable static field', 'export class C { static count = 0; }\n'],
  ])('rejects %s', async (_name, code) => {
    expect(await moduleStateErrors(code)).toEqual([expect.stringContaining('The pure core keeps no module state')]);
  });

  it('applies to src/model as well', async () => {
    expect(await moduleStateErrors('const memo = new Map<string, number>();\nexport const f = (k: string): number => memo.get(k) ?? 0;\n', 'src/model/example.ts')).toHaveLength(1);
  });

  it('allows constant tables, frozen values and state owned by instances', async () => {
    const code = [
      "const TABLE: ReadonlyMap<string, number> = new Map([['a', 1]]);",
      "const NAMES: ReadonlySet<string> = new Set(['a']);",
      "const ORDER = Object.freeze(['a', 'b']);",
      'const LIMIT = 4096;',
      'export class Memo {',
      '  static readonly MAX = 10;',
      '  private readonly kept = new Map<string, number>();',
      '  get(k: string): number { return this.kept.get(k) ?? TABLE.get(k) ?? (NAMES.has(k) ? ORDER.length : LIMIT) + Memo.MAX; }',
      '}',
      '',
    ].join('\n');
    expect(await moduleStateErrors(code)).toEqual([]);
  });

  it('leaves adapters outside the core alone', async () => {
    expect(await moduleStateErrors('const memo = new Map<string, number>();\nexport const f = (k: string): number => memo.get(k) ?? 0;\n', 'src/server/example.ts')).toEqual([]);
  });
});
