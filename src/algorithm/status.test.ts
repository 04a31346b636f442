import { describe, expect, it } from 'vitest';
import { SUCCESS, unresolvable, unschedulable } from './status.js';

describe('Status', () => {
  it('carries the reason for rejections and keeps success frozen', () => {
    expect(unschedulable('need 2 GPUs: 1 free')).toEqual({ code: 'unschedulable', reason: 'need 2 GPUs: 1 free' });
    expect(unresolvable('model L4 not allowed').code).toBe('unresolvable');
    expect(Object.isFrozen(SUCCESS)).toBe(true);
  });
});
