// Fuzz: ≥ 10,000 random and mutated strings into every codec's parser (the raw parsers, not the guarded ones, so
// a throw is seen), and format → parse round trips of random valid calls. Seeded, so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hermes } from '../../../../src/core/codecs/hermes';
import { llama3Json } from '../../../../src/core/codecs/llama3-json';
import { pythonic } from '../../../../src/core/codecs/pythonic';
import { xlam } from '../../../../src/core/codecs/xlam';
import { json } from '../../../../src/core/codecs/json';
import type { Codec, Json, ParseResult, ToolCall } from '../../../../src/core/types';

const CODECS: Codec[] = [hermes, llama3Json, pythonic, xlam, json];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['<tool_call>', '</tool_call>', '<think>', '</think>', '<|python_tag|>', '<|eom_id|>', '{', '}', '[', ']', '(', ')', '"', "'", '\\', ':', ',', '=', ';', '\n', ' ', 'name', '"name"', '"arguments"', '"parameters"', '"tool_calls"', 'True', 'None', 'null', '1e999', '-', '0x1F', '\u0000', '\ud800', 'é', '🙂', 'f(', 'a=', '\\u00', '\\x4'];
const NASTY = ['', ' ', 'a"b', "it's", 'back\\slash', 'new\nline', '</tool_call>', '<tool_call>', '\u0000\u001f', 'ünïcødé', '🙂', '\ud83d', '{"x": 1}', "'; DROP", '=)', '[f(a=1)]'];

function randomString(r: () => number, max = 40): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += r() < 0.5 ? PIECES[Math.floor(r() * PIECES.length)] : String.fromCharCode(32 + Math.floor(r() * 95));
  return s;
}

function randomValue(r: () => number, depth = 0): Json {
  const k = Math.floor(r() * (depth > 2 ? 5 : 7));
  switch (k) {
    case 0: return Math.floor(r() * 2000) - 1000 || 1;
    case 1: { const x = (r() - 0.5) * 10 ** Math.floor(r() * 12 - 4); return x === 0 ? 0.5 : x; }
    case 2: return NASTY[Math.floor(r() * NASTY.length)]! + (r() < 0.5 ? randomString(r, 8) : '');
    case 3: return r() < 0.5;
    case 4: return null;
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) o[`k${Math.floor(r() * 100)}`] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function randomCall(r: () => number): ToolCall {
  const name = ['get_weather', 'a', 'math.factorial', 'set-timer', 'X_1'][Math.floor(r() * 5)]!;
  const args: Record<string, Json> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) args[['city', 'n', 'unit', 'q_2', 'items', 'opts'][Math.floor(r() * 6)]!] = randomValue(r);
  return { name, arguments: args };
}

function mutate(r: () => number, s: string): string {
  let out = s;
  for (let m = 1 + Math.floor(r() * 3); m > 0; m--) {
    const i = Math.floor(r() * (out.length + 1));
    const op = Math.floor(r() * 5);
    if (op === 0) out = out.slice(0, i) + out.slice(i + 1 + Math.floor(r() * 5));
    else if (op === 1) out = out.slice(0, i) + PIECES[Math.floor(r() * PIECES.length)] + out.slice(i);
    else if (op === 2) out = out.slice(0, i);
    else if (op === 3) out = out.slice(0, i) + out.slice(Math.floor(r() * out.length)) ;
    else out = randomString(r, 6) + out + randomString(r, 6);
  }
  return out;
}

/** Checked cheaply first; the failure message (with the input) is only built when something is wrong. */
function assertShape(r: ParseResult, input: string, codec: string): void {
  const ok = Array.isArray(r.calls) && typeof r.clean === 'boolean' && Array.isArray(r.errors)
    && r.errors.every((e) => typeof e === 'string')
    && r.calls.every((c) => typeof c.name === 'string' && c.name.length > 0 && c.arguments !== null && typeof c.arguments === 'object' && !Array.isArray(c.arguments))
    && (!r.clean || r.errors.length === 0);
  assert.ok(ok, `${codec} returned a malformed result on ${JSON.stringify(input).slice(0, 200)}: ${JSON.stringify(r).slice(0, 300)}`);
}

test('10,000+ random and mutated strings: no codec throws, every result is well-formed', () => {
  const r = rng(20261122);
  let fed = 0;
  for (let i = 0; i < 12000; i++) {
    let input: string;
    if (i % 3 === 0) input = randomString(r, 80);
    else {
      const calls = Array.from({ length: Math.floor(r() * 3) }, () => randomCall(r));
      const source = CODECS[Math.floor(r() * CODECS.length)]!;
      input = mutate(r, source.format(calls));
    }
    for (const c of CODECS) {
      let res: ParseResult;
      try {
        res = c.parse(input);
      } catch (e) {
        assert.fail(`${c.name} threw ${String(e)} on ${JSON.stringify(input).slice(0, 200)}`);
      }
      assertShape(res, input, c.name);
    }
    fed++;
  }
  assert.ok(fed >= 10000);
});

test('format → parse round trip for 2,000 random valid call lists per codec', () => {
  const r = rng(7);
  for (const c of CODECS) {
    for (let i = 0; i < 2000; i++) {
      let calls = Array.from({ length: Math.floor(r() * 4) }, () => randomCall(r));
      // Python keyword arguments cannot contain "." or "-", and pythonic names must be identifiers-with-dots.
      if (c.name === 'pythonic') calls = calls.map((x) => ({ ...x, name: x.name.replace(/-/g, '_') }));
      const text = c.format(calls);
      const back = c.parse(text);
      assert.deepEqual(back.calls, calls, `${c.name}: ${text}`);
      assert.equal(back.clean, true, `${c.name}: ${text}`);
    }
  }
});
