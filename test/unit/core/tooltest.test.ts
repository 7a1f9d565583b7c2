import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolTest, scanLines } from '../../../src/core/tooltest';

const SAMPLE = [
  '# weather cases',
  'tools: tools.json',
  'match: bfcl',
  '',
  'case: Weather in Paris',
  'user: What is the weather in Paris, in celsius?',
  'call: {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
  '',
  'user: Book a table for two at 7pm',
  'user: at Chez Panisse.',
  'call: {"name": "book_table", "arguments": {"restaurant": "Chez Panisse",',
  '  "people": 2, "time": "19:00"}}',
  'call: {"name": "get_weather", "arguments": {"city": "Berkeley"}, "optional": ["unit"]}',
  '',
  'user: Tell me a joke.',
  'expect: []',
  'user: Weather in Rome?',
  '',
].join('\n');

test('parses file settings, named and unnamed cases, continuations and multi-call cases', () => {
  const f = parseToolTest(SAMPLE, 'calls.tooltest');
  assert.deepEqual(f.diagnostics, []);
  assert.equal(f.tools, 'tools.json');
  assert.equal(f.match, 'bfcl');
  assert.equal(f.cases.length, 4);
  const [a, b, c, d] = f.cases;
  assert.equal(a!.name, 'Weather in Paris');
  assert.equal(a!.line, 5); assert.equal(a!.endLine, 7); assert.equal(a!.userLine, 6); assert.equal(a!.expectLine, 7);
  assert.equal(a!.tools, 'tools.json');
  assert.deepEqual(a!.expected, [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }]);
  // consecutive user lines join; an indented line continues the JSON of the call above
  assert.equal(b!.user, 'Book a table for two at 7pm\nat Chez Panisse.');
  assert.equal(b!.name, 'Book a table for two at 7pm');
  assert.equal(b!.endLine, 13);
  assert.deepEqual(b!.expected, [
    { name: 'book_table', arguments: { restaurant: 'Chez Panisse', people: 2, time: '19:00' } },
    { name: 'get_weather', arguments: { city: 'Berkeley' }, optional: ['unit'] },
  ]);
  // expect: [] = no call; a user line after expect: starts a new case even without a blank line
  assert.deepEqual(c!.expected, []);
  assert.equal(c!.endLine, 16);
  assert.equal(d!.user, 'Weather in Rome?');
  assert.equal(d!.expected, undefined);
  assert.equal(d!.line, 17);
});

test('a single call object under expect: is a one-call list; accept is kept', () => {
  const f = parseToolTest('user: hi\nexpect: {"name": "f", "arguments": {"u": "C"}, "accept": {"u": ["C", "celsius"]}}\n');
  assert.deepEqual(f.diagnostics, []);
  assert.deepEqual(f.cases[0]!.expected, [{ name: 'f', arguments: { u: 'C' }, accept: { u: ['C', 'celsius'] } }]);
});

test('per-case tools override the file-level tools', () => {
  const f = parseToolTest('tools: a.json\n\ncase: x\ntools: b.json\nuser: hi\n\nuser: there\n');
  assert.equal(f.tools, 'a.json');
  assert.equal(f.cases[0]!.tools, 'b.json');
  assert.equal(f.cases[1]!.tools, 'a.json');
});

test('bad JSON is a located error naming the key; the case stays without expectation', () => {
  const f = parseToolTest('user: hi\ncall: {"name": "f", "arguments": {"a": 1,}}\n', 'x.tooltest');
  assert.equal(f.cases.length, 1);
  assert.equal(f.cases[0]!.expected, undefined);
  assert.equal(f.diagnostics.length, 1);
  const d = f.diagnostics[0]!;
  assert.equal(d.file, 'x.tooltest');
  assert.equal(d.line, 2);
  assert.ok(d.column > 7, `column ${d.column} points inside the JSON`);
  assert.match(d.message, /`call:` is not valid JSON/);
  assert.ok(d.hint);
});

test('every kind of bad input is diagnosed with a line and a hint', () => {
  const cases: Array<[string, RegExp, number]> = [
    ['user: a\nfoo: b\n', /unknown key "foo"/, 2],                        // unknown key
    ['user: a\njust text\n', /not `key: value`/, 2],                        // no colon
    ['   indented first\n', /continues nothing/, 1],                         // stray continuation
    ['call: {"name": "f", "arguments": {}}\n', /no `user:` line/, 1],       // call without user
    ['user: a\ncall: [1]\n', /must be an object/, 2],                        // call must be an object
    ['user: a\ncall: {"arguments": {}}\n', /no "name"/, 2],                  // missing name
    ['user: a\ncall: {"name": "f", "arguments": 3}\n', /"arguments" must be an object/, 2],
    ['user: a\ncall: {"name": "f", "accept": {"u": "C"}}\n', /"accept" must map/, 2],
    ['user: a\ncall: {"name": "f", "optional": [1]}\n', /"optional" must be an array/, 2],
    ['user: a\nexpect: []\nexpect: []\n', /second `expect:`/, 3],
    ['user: a\ncall: {"name": "f"}\nexpect: []\n', /both `call:` lines and `expect:`/, 3],
    ['match: fuzzy\n', /unknown match mode/, 1],
    ['user: a\ncall:\n', /has no value/, 2],
    ['tools:\n', /needs a path/, 1],
  ];
  for (const [text, re, line] of cases) {
    const f = parseToolTest(text);
    const d = f.diagnostics.find((x) => re.test(x.message));
    assert.ok(d, `${JSON.stringify(text)} → ${JSON.stringify(f.diagnostics)}`);
    assert.equal(d.line, line, JSON.stringify(text));
    assert.ok(d.hint && d.hint.length > 5);
  }
});

test('unknown fields in a call are a warning, not an error', () => {
  const f = parseToolTest('user: a\ncall: {"name": "f", "arguments": {}, "id": 1}\n');
  assert.equal(f.diagnostics[0]!.severity, 'warning');
  assert.deepEqual(f.cases[0]!.expected, [{ name: 'f', arguments: {} }]);
});

test('CRLF line endings, a BOM and comments are handled', () => {
  const f = parseToolTest('\uFEFF# c\r\nuser: a\r\n# between\r\nexpect: []\r\n');
  assert.deepEqual(f.diagnostics, []);
  assert.equal(f.cases.length, 1);
  assert.deepEqual(f.cases[0]!.expected, []);
});

test('scanLines reports the value column', () => {
  const { lines } = scanLines('user:   hello');
  assert.equal(lines[0]!.column, 9);
  assert.equal(lines[0]!.value, 'hello');
});

// ---- fuzz: 10,000+ random and mutated inputs never throw and always give well-formed results ----
function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('fuzz: 12,000 random and mutated inputs never throw', () => {
  const rand = rng(12345);
  const pieces = ['user:', 'call:', 'expect:', 'case:', 'tools:', 'match:', 'system:', '#', '\n', '\r\n', '  ', ' ', '{', '}',
    '[', ']', '"', ':', ',', 'name', 'arguments', 'accept', 'optional', 'null', '1e999', '\uFEFF', '\u0000', 'é', '𝄞', 'bfcl', 'exact', '\\'];
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
  let parsedCases = 0;
  for (let i = 0; i < 12_000; i++) {
    let text: string;
    if (i % 3 === 0) {
      // mutate the realistic sample: delete, duplicate or insert at random places
      const chars = [...SAMPLE];
      const edits = 1 + Math.floor(rand() * 8);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const op = rand();
        if (op < 0.4) chars.splice(at, 1 + Math.floor(rand() * 5));
        else if (op < 0.7) chars.splice(at, 0, pick(pieces));
        else chars.splice(at, 0, ...chars.slice(at, at + Math.floor(rand() * 40)));
      }
      text = chars.join('');
    } else if (i % 3 === 1) {
      text = Array.from({ length: Math.floor(rand() * 40) }, () => pick(pieces)).join(rand() < 0.5 ? '' : ' ');
    } else {
      text = Array.from({ length: Math.floor(rand() * 200) }, () => String.fromCharCode(Math.floor(rand() * 0x3000))).join('');
    }
    const f = parseToolTest(text);
    assert.ok(Array.isArray(f.cases) && Array.isArray(f.diagnostics));
    for (const c of f.cases) {
      assert.ok(c.line >= 1 && c.endLine >= c.line && typeof c.user === 'string' && c.name.length > 0, JSON.stringify(text));
      if (c.expected) for (const x of c.expected) assert.equal(typeof x.name, 'string');
    }
    for (const d of f.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.message && d.hint);
    parsedCases += f.cases.length;
  }
  assert.ok(parsedCases > 1000, `mutations of the sample still parse cases: ${parsedCases}`);
  // non-string input (from untyped callers) is an empty file, not a crash
  assert.deepEqual(parseToolTest(undefined as unknown as string).cases, []);
});
