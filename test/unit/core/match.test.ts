import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfclNormalise, compareArguments, describeMismatch, matchCalls, valuesEqual } from '../../../src/core/match';
import type { ExpectedCall, Json } from '../../../src/core/types';

test('valuesEqual: exact and bfcl', () => {
  const cases: Array<[Json, Json, boolean, boolean]> = [
    // [expected, got, exact, bfcl]
    [5, 5.0, true, true],                                   // numbers by value
    [5, '5', false, false],                                 // no type coercion
    ['Paris', 'paris', false, true],                        // bfcl lower-cases
    ['New York', 'new-york', false, true],                  // bfcl drops space and -
    ['2026-01-02', '2026/01/02', false, true],              // bfcl drops - and /
    ["it's", 'it"s', false, true],                          // bfcl maps ' to "
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true, true], // key order free
    [[1, 2], [2, 1], false, false],                         // arrays keep order
    [{ a: 1 }, { a: 1, b: 2 }, false, false],               // extra nested key
    [null, null, true, true],
    [true, 1, false, false],
  ];
  for (const [e, g, exact, bfcl] of cases) {
    assert.equal(valuesEqual(e, g, 'exact'), exact, `exact ${JSON.stringify([e, g])}`);
    assert.equal(valuesEqual(e, g, 'bfcl'), bfcl, `bfcl ${JSON.stringify([e, g])}`);
  }
  assert.equal(bfclNormalise('A-b_c.d/e,f*g^h i'), 'abcdefghi');
});

test('compareArguments: optional, accept, missing, extra', () => {
  const exp: ExpectedCall = { name: 'f', arguments: { city: 'Paris', unit: 'celsius' }, optional: ['unit'], accept: { city: ['Paris, France'], days: [1] } };
  const c = compareArguments(exp, { name: 'f', arguments: { city: 'Paris, France', extra: 1 } });
  assert.deepEqual(c.matched, ['city', 'unit']);
  assert.deepEqual(c.missing, ['days']);
  assert.deepEqual(c.extra, ['extra']);
  assert.equal(c.exact, false);
  // bfcl: an acceptable value "" makes the parameter optional
  const b: ExpectedCall = { name: 'f', arguments: {}, accept: { unit: ['celsius', ''] } };
  assert.equal(compareArguments(b, { name: 'f', arguments: {} }, 'bfcl').exact, true);
  assert.equal(compareArguments(b, { name: 'f', arguments: {} }, 'exact').exact, false);
});

test('matchCalls pairs calls as a multiset, preferring exact pairs', () => {
  const exp: ExpectedCall[] = [{ name: 'f', arguments: { a: 1 } }, { name: 'f', arguments: { a: 2 } }];
  // same name twice: the assignment must pair a=2 with a=2 even though a=1 comes first in the prediction
  const m = matchCalls(exp, [{ name: 'f', arguments: { a: 2 } }, { name: 'f', arguments: { a: 1 } }]);
  assert.equal(m.exact, true);
  assert.deepEqual(m.pairs.map((p) => [p.expected, p.predicted]), [[0, 1], [1, 0]]);
  const partial = matchCalls(exp, [{ name: 'f', arguments: { a: 2 } }, { name: 'g', arguments: {} }]);
  assert.equal(partial.exact, false);
  assert.deepEqual(partial.unmatchedPredicted, [1]);
  assert.deepEqual(describeMismatch(exp, [{ name: 'f', arguments: { a: 2 } }, { name: 'g', arguments: {} }], partial), ['missing call f', 'unexpected call g']);
  // many predicted calls fall back to a greedy pairing and still terminate
  const many = Array.from({ length: 30 }, (_, i) => ({ name: 'f', arguments: { a: i } }));
  assert.equal(matchCalls(exp, many).pairs.length, 2);
});
