import { RememberedPerHandle } from '../../db/remembered';

describe('RememberedPerHandle', () => {
  test('forgets the least recently remembered past its capacity, counting each value once by default', () => {
    const memory = new RememberedPerHandle<string>(2);
    const db = {};
    memory.remember(db, 'a', 'A');
    memory.remember(db, 'b', 'B');
    memory.remember(db, 'a', 'A2'); // a is now the most recent
    memory.remember(db, 'c', 'C');
    expect(['a', 'b', 'c'].map((key) => memory.get(db, key))).toEqual(['A2', undefined, 'C']);
  });

  test('weighs values when told how, and never forgets the value just remembered however heavy', () => {
    const memory = new RememberedPerHandle<number[]>(5, (value) => value.length);
    const db = {};
    memory.remember(db, 'small', [1, 2]);
    memory.remember(db, 'medium', [1, 2, 3]);
    expect([memory.get(db, 'small'), memory.get(db, 'medium')]).toEqual([[1, 2], [1, 2, 3]]);
    memory.remember(db, 'big', [1, 2, 3, 4, 5, 6]);
    expect(['small', 'medium', 'big'].map((key) => memory.get(db, key)?.length)).toEqual([undefined, undefined, 6]);
  });

  test('keeps each database handle apart, and forgets a key on request', () => {
    const memory = new RememberedPerHandle<string>(1);
    const one = {};
    const other = {};
    memory.remember(one, 'k', 'one');
    memory.remember(other, 'k', 'other');
    expect([memory.get(one, 'k'), memory.get(other, 'k')]).toEqual(['one', 'other']);
    memory.forget(one, 'k');
    expect([memory.get(one, 'k'), memory.get(other, 'k')]).toEqual([undefined, 'other']);
  });
});
