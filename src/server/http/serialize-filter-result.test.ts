import { describe, expect, it } from 'vitest';
import type { ExtenderFilterResult } from '../wire-schemas.js';
import { serializeFilterResult } from './serialize-filter-result.js';

const node = (name: string, rv: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ metadata: { name, ...(rv === undefined ? {} : { resourceVersion: rv }), labels: { 'a"b': 'ü' } }, status: { ...extra } });

const result = (items: unknown[] | null): ExtenderFilterResult => ({
  Nodes: items === null ? null : { metadata: {}, items }, NodeNames: items === null ? ['x'] : null,
  FailedNodes: { y: 'reason "quoted"' }, FailedAndUnresolvableNodes: {}, Error: '',
});

describe('serializeFilterResult()', () => {
  it.each([
    ['names-only', result(null)],
    ['full nodes', result([node('a', '1'), node('b', undefined)])],
    ['no surviving nodes', result([])],
  ])('matches JSON.stringify for %s', (_name, r) => {
    expect(serializeFilterResult(r).toString('utf8')).toBe(JSON.stringify(r));
  });

  it('re-serializes a node whose resourceVersion changed', () => {
    expect(serializeFilterResult(result([node('c', '1', { v: 1 })])).toString()).toContain('"v":1');
    expect(serializeFilterResult(result([node('c', '2', { v: 2 })])).toString()).toContain('"v":2');
  });
});
