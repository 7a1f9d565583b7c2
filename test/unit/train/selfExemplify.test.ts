import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCodec } from '../../../src/core/codecs';
import type { ToolDef } from '../../../src/core/types';
import { checkSelfExample, selfExampleBonus, splitSelfExample } from '../../../src/train/selfExemplify';

const tools: ToolDef[] = [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: {
  type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } }];
const hermes = getCodec('hermes');
const REAL = 'Weather in Paris?';
const answer = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
const ex = (body: string) => `<example>\n${body}\n</example>\n${answer}`;
const goodCall = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome", "unit": "celsius"}}\n</tool_call>';

test('splitSelfExample: the answer is what follows a closed leading block', () => {
  assert.deepEqual(splitSelfExample(answer), { example: null, answer });
  const s = splitSelfExample(ex('request: x\ncall: y\ncheck: z'));
  assert.equal(s.example, '\nrequest: x\ncall: y\ncheck: z\n');
  assert.equal(s.answer, answer);
  // unclosed block: no example, the whole text is the answer (and will fail the strict gate)
  assert.equal(splitSelfExample('<example> request: x').example, null);
  // a block that does not lead the completion is not an example
  assert.equal(splitSelfExample(`${answer}<example>a</example>`).example, null);
});

test('self-example validity table', () => {
  const cases: Array<[string, boolean, string]> = [
    // a different request, a call that parses, names an offered tool and fits its schema, and a check line
    [ex(`request: How warm is it in Rome?\ncall: ${goodCall}\ncheck: Rome is the city and celsius a valid unit.`), true, 'valid'],
    // missing the check line
    [ex(`request: How warm is it in Rome?\ncall: ${goodCall}`), false, 'no check'],
    // fields out of order
    [ex(`call: ${goodCall}\nrequest: Rome?\ncheck: fine`), false, 'order'],
    // the call names a tool the row does not offer
    [ex('request: Book a taxi\ncall: <tool_call>\n{"name": "book_taxi", "arguments": {}}\n</tool_call>\ncheck: ok'), false, 'unknown tool'],
    // arguments violate the schema (unit outside the enum)
    [ex('request: Rome in kelvin\ncall: <tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome", "unit": "kelvin"}}\n</tool_call>\ncheck: ok'), false, 'schema'],
    // a required argument is missing
    [ex('request: Weather?\ncall: <tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call>\ncheck: ok'), false, 'required'],
    // the call text is not a clean hermes call
    [ex('request: Rome?\ncall: get_weather(city="Rome")\ncheck: ok'), false, 'does not parse'],
    // copying the real request is not an example of another one
    [ex(`request: ${REAL}\ncall: ${goodCall}\ncheck: ok`), false, 'copy'],
    // no example at all
    [answer, false, 'none'],
  ];
  for (const [completion, valid, why] of cases) {
    const bonus = selfExampleBonus(completion, hermes, tools, REAL, 0.01);
    assert.equal(bonus, valid ? 0.01 : 0, why);
  }
  assert.match(checkSelfExample('request: a\ncall: x\ncheck: b', hermes, tools, REAL).reason, /does not parse/);
});
