import { describe, expect, it } from 'vitest';
import { valueAt } from './value-at.js';

describe('valueAt', () => {
  it.each([
    [['spec', 'containers', 0, 'name'], 'main'],
    [['spec', 'containers', 1], undefined],
    [['spec', 'containers', 0, 'name', 'length'], undefined],
    [[], { spec: { containers: [{ name: 'main' }] } }],
  ] as const)('reads %j', (path, expected) => {
    expect(valueAt({ spec: { containers: [{ name: 'main' }] } }, path)).toEqual(expected);
  });
});
