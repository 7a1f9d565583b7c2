// sampleFromPattern parses untrusted text (the patterns of a user's schema), so: fuzzed with thousands of seeded
// random patterns, it never throws and returns null or a string; drawValue, which re-checks every sample with the
// pattern, never returns a code the pattern rejects. The sampler alone does not always match its pattern: the
// cases it gets wrong are pinned below as a todo (reported; drawValue's re-check turns each into "no value").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawValue, sampleFromPattern, type ParamSpec } from '../../../../src/core/synth/index';
import { Rng } from '../../../../src/core/rng';

// Pieces of patterns: the supported subset, and what users also write (groups, lazy quantifiers, escapes in classes,
// anchors in the middle, astral characters, broken syntax).
const ATOMS = ['a', 'Z', '7', '-', '_', ' ', '/', 'é', '\\d', '\\w', '\\s', '\\.', '\\/', '[a-z]', '[A-Z0-9]', '[abc]', '[0-9_]'];
const QUANTIFIERS = ['+', '?', '{2}', '{1,3}', '{2,}', '{0}'];
const SUPPORTED = [...ATOMS, ...QUANTIFIERS];
const HOSTILE = ['😀', '\\\\', '\\b', '\\D', '\\-', '\\$', '\\u0041', '[^a]', '[\\d]', '[\\w]', '[\\.]', '[]', '[z-a]', '[a-]', '[😀-😂]',
  '*', '{3,1}', '(', ')', '(?:', '|', '.', '^', '$', '{', '}', ']', '[', '+?', '??', '{1,2}?'];

function randomPattern(g: Rng, pieces: readonly string[]): string {
  return (g.chance(0.6) ? '^' : '') + Array.from({ length: g.range(1, 8) }, () => g.pick(pieces)).join('') + (g.chance(0.6) ? '$' : '');
}

/** A pattern of the supported subset: atoms, each with at most one quantifier. */
function supportedPattern(g: Rng): string {
  const atoms = Array.from({ length: g.range(1, 6) }, () => g.pick(ATOMS) + (g.chance(0.4) ? g.pick(QUANTIFIERS) : ''));
  return (g.chance(0.6) ? '^' : '') + atoms.join('') + (g.chance(0.6) ? '$' : '');
}

function compiles(p: string): RegExp | null {
  try { return new RegExp(p, 'u'); } catch { return null; }
}

const code = (pattern: string): ParamSpec => ({ name: 'x', kind: 'code', cues: [], schema: { type: 'string', pattern } });

test('fuzz: never throws; returns null or a string (5,000 seeded patterns)', () => {
  const g = new Rng(101);
  for (let i = 0; i < 5000; i++) {
    const p = randomPattern(g, g.chance(0.5) ? SUPPORTED : [...SUPPORTED, ...HOSTILE]);
    let v: unknown;
    assert.doesNotThrow(() => { v = sampleFromPattern(new Rng(i), p); }, `pattern ${JSON.stringify(p)}`);
    assert.ok(v === null || typeof v === 'string', `pattern ${JSON.stringify(p)} gave ${String(v)}`);
  }
});

test('fuzz: on the supported subset (literals, \\d \\w \\s, escapes, classes, + ? {n} {n,m} {n,}) every sample matches', () => {
  const g = new Rng(102);
  for (let i = 0; i < 3000; i++) {
    const p = supportedPattern(g);
    const re = compiles(p)!;
    const v = sampleFromPattern(new Rng(i), p);
    assert.notEqual(v, null, `pattern ${JSON.stringify(p)} is in the supported subset`);
    assert.ok(re.test(v!), `pattern ${JSON.stringify(p)} gave ${JSON.stringify(v)}`);
  }
});

test('fuzz: drawValue never returns a code its pattern rejects (5,000 seeded patterns)', () => {
  const g = new Rng(103);
  for (let i = 0; i < 5000; i++) {
    const p = randomPattern(g, [...SUPPORTED, ...HOSTILE]);
    const v = drawValue(new Rng(i), code(p));
    if (v === null) continue;
    const re = compiles(p);
    assert.ok(re && typeof v === 'string' && re.test(v), `pattern ${JSON.stringify(p)} gave ${JSON.stringify(v)}`);
  }
});

// [pattern, what goes wrong] — each has a valid match that the sampler misses, or no match at all.
const KNOWN_MISMATCHES: Array<[string, string]> = [
  ['^a+?$', 'a lazy quantifier: the second ? is written as a literal "?"'],
  ['^\\d{1,2}?$', 'the same after {n,m}'],
  ['^[\\w-]{3}$', 'an escape inside a class other than \\d: the backslash becomes a member ("\\\\", "w", "-")'],
  ['^[\\.]$', 'the same with \\.'],
  ['^\\\\$', 'an escaped backslash before the end anchor: the $ is kept as a literal "$"'],
  ['^\\d+$$', 'a doubled end anchor: the second $ becomes a literal'],
  ['^a^$', 'an anchor in the middle is written as a literal (no string matches such a pattern; null is right)'],
  ['^[]$', 'an empty class matches nothing; the sampler returns "" instead of null'],
  ['^[😀-😂]$', 'a range of astral characters is sampled by UTF-16 code unit: a lone surrogate'],
  ['^😀{2}$', 'a quantifier after an astral character repeats only its low surrogate'],
];

test('sampleFromPattern output always matches its pattern', { todo: 'values.ts sampler bugs, reported to the generator owner (issue 11); drawValue re-checks every sample, so they cost a value, never a wrong one' }, () => {
  const wrong: string[] = [];
  for (const [p, why] of KNOWN_MISMATCHES) {
    const re = compiles(p)!;
    for (let s = 0; s < 20; s++) {
      const v = sampleFromPattern(new Rng(s), p);
      if (v !== null && !re.test(v)) { wrong.push(`${p} → ${JSON.stringify(v)}: ${why}`); break; }
    }
  }
  assert.deepEqual(wrong, []);
});

test('drawValue turns each known mismatch into a valid code or null', () => {
  for (const [p] of KNOWN_MISMATCHES) {
    const re = compiles(p)!;
    for (let s = 0; s < 20; s++) {
      const v = drawValue(new Rng(s), code(p));
      assert.ok(v === null || (typeof v === 'string' && re.test(v)), `${p} → ${JSON.stringify(v)}`);
    }
  }
});
