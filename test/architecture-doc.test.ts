import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
/** Backticked spans of the doc. */
const spans = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const src = sources(join(root, 'src')).filter((p) => !p.endsWith('.test.ts')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

describe('docs/architecture.md', () => {
  it('names files that exist (paths from the repository root; bare names are root files or core modules in src/algorithm)', () => {
    const files = spans.filter((s) => /^[\w./-]+\.(ts|js|md)$/.test(s));
    expect(files.length).toBeGreaterThan(15);
    const missing = files.filter((f) => !existsSync(join(root, f)) && (f.includes('/') || !existsSync(join(root, 'src/algorithm', f))));
    expect(missing).toEqual([]);
  });

  it('names classes and methods that exist', () => {
    const members = spans.map((s) => /^([A-Z]\w+)\.(\w+)(\(|$)/.exec(s)).filter((m) => m !== null);
    expect(members.length).toBeGreaterThan(5);
    const missing = members.filter(([, cls, method]) => {
      const file = src.find((f) => new RegExp(`\\bclass ${cls}\\b`).test(f.text));
      return file === undefined || !new RegExp(`^\\s+(async )?${method}\\(`, 'm').test(file.text);
    }).map((m) => m[0]);
    expect(missing).toEqual([]);
  });
});
