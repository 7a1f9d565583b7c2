// Outputs in the shapes the model families really write (test/fixtures/codecs/cases.json lists each file, its
// codec, the calls it holds and whether it is clean).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCodec } from '../../../../src/core/codecs/index';

const DIR = join(__dirname, '../../../fixtures/codecs');
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Array<{ file: string; codec: string; calls: unknown[]; clean: boolean }>;

test('model-output fixtures parse to their calls with the right cleanliness', () => {
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const r = getCodec(c.codec).parse(readFileSync(join(DIR, c.file), 'utf8'));
    if (c.calls.length || c.clean) assert.deepEqual(r.calls, c.calls, c.file);
    assert.equal(r.clean, c.clean, c.file);
    assert.equal(r.errors.length === 0, c.clean, c.file);
  }
});
