import { describe, expect, it } from 'vitest';
import { ChangeJournal } from './change-journal.js';

describe('ChangeJournal', () => {
  it('returns the names recorded at or after a version, and nothing for a reader that is up to date', () => {
    const j = new ChangeJournal();
    j.record(0, 'a');
    j.record(1, 'b');
    j.record(1, 'c');
    j.record(2, 'a');
    expect(j.since(1)?.sort()).toEqual(['a', 'b', 'c']);
    expect(j.since(2)).toEqual(['a']);
    expect(j.since(3)).toEqual([]);
    expect(j.since(0)?.length).toBe(4);
  });

  it('answers null once changes a reader has not seen were dropped, and keeps answering for recent readers', () => {
    const j = new ChangeJournal(4);
    for (let v = 0; v < 20; v += 1) j.record(v, `n${v}`);
    expect(j.since(10)).toBeNull();
    expect(j.since(16)).toEqual(['n19', 'n18', 'n17', 'n16']);
    expect(j.since(17)).toEqual(['n19', 'n18', 'n17']);
  });
});
