// rowsForTools: the starter dataset `tooltune synth` writes for a user's tools. Rows are valid against the tools file
// (the dataset loader's own check), deterministic, and keep the row mix; what cannot be drawn is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rowsForTools } from '../../../../src/core/synth/index';
import { parseDatasetText, rowCategory } from '../../../../src/core/dataset';
import { parseTools } from '../../../../src/core/tools';
import type { ToolDef } from '../../../../src/core/types';

const ROOT = join(__dirname, '../../../..');
const load = (file: string) => parseTools(readFileSync(join(ROOT, file), 'utf8'), file).tools;
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const tool = (name: string, properties: Record<string, unknown>, required: string[], description = `Do ${name}.`): ToolDef =>
  ({ type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } });

for (const file of ['sample-workspace/tools.json', 'test/fixtures/domain2/tools.json']) {
  test(`${file}: N valid rows, every tool used, deterministic`, () => {
    const tools = load(file);
    const a = rowsForTools(tools, 600, 1);
    assert.equal(a.rows.length, 600);
    assert.deepEqual(a.skipped, []);
    assert.deepEqual(a.omitted, []);
    const r = parseDatasetText(jsonl(a.rows), file, { tools });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.kept, 600);
    assert.ok(a.rows.every((row) => row.tools === undefined), 'the tools file applies; rows carry none');
    const called = new Set(a.rows.flatMap((row) => row.expected.map((c) => c.name)));
    assert.deepEqual([...called].sort(), tools.map((t) => t.function.name).sort());
    const none = a.rows.filter((row) => rowCategory(row) === 'no_call').length / 600;
    const two = a.rows.filter((row) => rowCategory(row) === 'parallel').length / 600;
    assert.ok(none > 0.07 && none < 0.18 && two > 0.12 && two < 0.25, `no-call ${none}, two-call ${two}`);
    assert.deepEqual(rowsForTools(tools, 600, 1), a);
    assert.notDeepEqual(rowsForTools(tools, 50, 2).rows, a.rows.slice(0, 50));
  });
}

test('a tool whose required parameter has an unsupported pattern is skipped and reported', () => {
  const tools = [
    tool('get_badge', { badge: { type: 'string', pattern: '^(gold|silver)-\\d+$' } }, ['badge']),
    tool('get_user', { name: { type: 'string' }, ref: { type: 'string', pattern: '^(a|b)$' } }, ['name']),
  ];
  const r = rowsForTools(tools, 100, 1);
  assert.deepEqual(r.skipped.map((s) => s.tool), ['get_badge']);
  assert.match(r.skipped[0]!.reason, /required parameter "badge": pattern \/\^\(gold\|silver\)-\\d\+\$\/ uses regular-expression features/);
  // An optional parameter like it is never said, and so never expected.
  assert.deepEqual(r.omitted.map((o) => `${o.tool}.${o.parameter}`), ['get_user.ref']);
  assert.equal(r.rows.length, 100);
  assert.ok(r.rows.every((row) => row.expected.every((c) => c.name === 'get_user' && !('ref' in c.arguments))));
  assert.deepEqual(parseDatasetText(jsonl(r.rows), 't.jsonl', { tools }).diagnostics, []);
});

test('a hostile pattern or size is refused before anything is built', () => {
  const tools = [
    tool('get_a', { id: { type: 'string', pattern: '^\\d{100000000}$' } }, ['id']),
    tool('get_b', { name: { type: 'string' }, ids: { type: 'array', items: { type: 'string' }, minItems: 1e9 } }, ['name']),
  ];
  const r = rowsForTools(tools, 20, 1);
  assert.deepEqual(r.skipped, [{ tool: 'get_a', reason: 'required parameter "id": pattern /^\\d{100000000}$/ repeats more than 64 times' }]);
  assert.deepEqual(r.omitted, [{ tool: 'get_b', parameter: 'ids', reason: 'minItems 1000000000 is more than 64' }]);
  assert.equal(r.rows.length, 20);
});

test('constraints the generator does not model are met by redrawing, without skewing the mix', () => {
  // maxLength, multipleOf, exclusiveMaximum and maxItems are not read by drawValue: most draws fail them.
  const tools = [
    tool('set_nick', { nick: { type: 'string', maxLength: 3 } }, ['nick']),
    tool('set_step', { step: { type: 'integer', multipleOf: 5, minimum: 0, maximum: 100 } }, ['step']),
    tool('set_ratio', { ratio: { type: 'number', minimum: 0, exclusiveMaximum: 1 } }, ['ratio']),
    tool('set_ids', { ids: { type: 'array', items: { type: 'integer' }, maxItems: 1 } }, ['ids']),
    tool('set_at', { at: { type: 'string', format: 'time' }, when: { type: 'string', format: 'date-time' } }, ['at', 'when']),
  ];
  const r = rowsForTools(tools, 400, 3);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.rows.length, 400);
  assert.deepEqual(parseDatasetText(jsonl(r.rows), 't.jsonl', { tools }).diagnostics, []);
  const none = r.rows.filter((row) => row.expected.length === 0).length / 400;
  assert.ok(none < 0.18, `no-call share ${none}: rejected call rows must not become no-call rows`);
});

test('a schema no draw can satisfy skips the tool with the validator\'s reason', () => {
  const r = rowsForTools([tool('set_code', { code: { type: 'string', minLength: 500 } }, ['code']), tool('ping', {}, [])], 10, 1);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0]!.reason, /^required parameter "code": no generated value passed its schema \(argument \/code must NOT have fewer than 500 characters\)$/);
  assert.equal(r.rows.length, 10);
});

test('no tools usable: no rows', () => {
  const r = rowsForTools([tool('get_a', { id: { type: 'string', pattern: '(x)' } }, ['id'])], 10, 1);
  assert.deepEqual(r.rows, []);
  assert.equal(r.skipped.length, 1);
});

test('no-call requests never name what the tools handle', () => {
  // "ticket" is one of the generator's nouns: a no-call row asking to "cancel the ticket" would be mislabelled.
  const tools = [tool('create_ticket', { title: { type: 'string' } }, ['title'], 'Open a support ticket.'), tool('listInvoices', {}, [])];
  const r = rowsForTools(tools, 1500, 5, { noCall: 1, twoCalls: 0, optional: 0.5 });
  assert.equal(r.rows.length, 1500);
  for (const row of r.rows) assert.doesNotMatch(row.messages[0]!.content, /\b(tickets?|invoices?)\b/i);
});

test('a pattern the sampler reads but never matches is named in the reason', () => {
  // `[\w]`: an escape inside a class is outside the sampler's subset (values.test.ts, KNOWN_MISMATCHES): it draws
  // "\\" or "w" for each of the 12 characters, and a backslash fails the pattern.
  const r = rowsForTools([tool('get_user', { handle: { type: 'string', pattern: '^[\\w]{12}$' } }, ['handle']), tool('ping', {}, [])], 5, 1);
  assert.deepEqual(r.skipped, [{ tool: 'get_user', reason: 'required parameter "handle": no generated value passed its schema (the generator\'s samples of /^[\\w]{12}$/ never matched it; it samples literals, \\d \\w \\s, [a-z0-9] classes, + ? {n,m})' }]);
});
