// randomDomain (the corpus's tools, by curriculum level) and toolFromDef (a user's tool as the generator sees it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomDomain, toolFromDef } from '../../../../src/core/synth/index';
import { TOOL_NAME_PATTERN } from '../../../../src/core/tools';
import { Rng } from '../../../../src/core/rng';
import type { ToolDef } from '../../../../src/core/types';

test('level 1: prompts of 3 to 10 tools (and now and then more), masked names among them', () => {
  const rng = new Rng(1);
  const sizes = new Set<number>();
  let masked = 0;
  let tools = 0;
  for (let i = 0; i < 1000; i++) {
    const d = randomDomain(rng, 1);
    sizes.add(d.tools.length);
    tools += d.tools.length;
    masked += d.tools.filter((t) => t.masked).length;
    for (const t of d.tools) {
      assert.match(t.def.function.name, TOOL_NAME_PATTERN);
      // A masked name says nothing; its description still says what the tool does.
      if (t.masked) assert.ok(!t.actions.some((a) => a.includes(t.def.function.name)), t.def.function.name);
    }
    assert.equal(new Set(d.tools.map((t) => t.def.function.name)).size, d.tools.length, 'names unique in a domain');
  }
  for (let n = 3; n <= 10; n++) assert.ok(sizes.has(n), `no level-1 domain with ${n} tools`);
  assert.ok(Math.min(...sizes) >= 3, `smallest level-1 domain: ${Math.min(...sizes)}`);
  assert.ok(masked / tools > 0.15 && masked / tools < 0.35, `masked share ${masked / tools}`);
});

test('level 0: one or two tools of one parameter each', () => {
  const rng = new Rng(2);
  const sizes = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const d = randomDomain(rng, 0);
    sizes.add(d.tools.length);
    for (const t of d.tools) assert.equal(t.params.length, 1);
  }
  assert.deepEqual([...sizes].sort(), [1, 2]);
});

test('the same rng state gives the same domain', () => {
  assert.deepEqual(randomDomain(new Rng(9), 0.7), randomDomain(new Rng(9), 0.7));
});

const tool = (name: string, description: string | undefined, properties: Record<string, unknown> = {}): ToolDef =>
  ({ type: 'function', function: { name, ...(description === undefined ? {} : { description }), parameters: { type: 'object', properties } } });

test('toolFromDef: actions from the name and from the description', () => {
  // [name, description, expected actions]
  const cases: Array<[string, string | undefined, string[]]> = [
    // a verb-first name, and a description that is an instruction
    ['book_restaurant', 'Reserve a table at a restaurant.', ['book the restaurant', 'book restaurant', 'reserve a table at a restaurant']],
    // a name whose object starts with a preposition gets no "the"
    ['add_to_cart', 'Add a product to the cart.', ['add to cart', 'add a product to the cart']],
    // a description that is a noun phrase is asked for with "get the"
    ['get_weather', 'Current weather or a multi-day forecast for a city.', ['get the weather', 'get weather', 'get the current weather or a multi-day forecast for a city']],
    // third-person descriptions become instructions
    ['stockLevel', 'Returns the stock level of a product.', ['use stock level', 'return the stock level of a product']],
    ['searchFlights', 'Searches flights.', ['search the flights', 'search flights']],
    // a description starting with an article
    ['f1', 'A list of open tickets', ['use f1', 'get a list of open tickets']],
    // no description, or one too long to say
    ['ping', undefined, ['use ping']],
    ['sync_now', 'x'.repeat(90), ['use sync now']],
  ];
  for (const [name, description, actions] of cases) assert.deepEqual(toolFromDef(tool(name, description)).actions, actions, name);
});

test('toolFromDef: parameters a request could mix up are always named', () => {
  const t = toolFromDef(tool('convert_currency', 'Convert money.', {
    amount: { type: 'number' },
    from: { type: 'string', enum: ['USD', 'EUR'] },
    to: { type: 'string', enum: ['EUR', 'USD'] },
    // an enum with other values stays distinguishable by its value
    speed: { type: 'string', enum: ['slow', 'fast'] },
  }));
  const cues = Object.fromEntries(t.params.map((p) => [p.name, p.cues]));
  assert.deepEqual(cues.from, ['from']);
  assert.deepEqual(cues.to, ['to']);
  assert.ok(cues.speed!.includes(''), 'a lone enum may be said bare');
  assert.deepEqual(cues.amount, ['amount'], 'a number is always named (it has no unit word)');
  const two = toolFromDef(tool('set_range', undefined, { low: { type: 'integer' }, highValue: { type: 'number' } }));
  assert.deepEqual(two.params.map((p) => p.cues), [['low'], ['high value']]);
});
