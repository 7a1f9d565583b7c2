// Every malformed input in test/fixtures/bad-input/ produces its intended diagnostic: the right file, line and
// column, severity and text. One row per fixture; the 10 MB row is generated here rather than committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic, loadDataset, loadTools, type Diagnostic } from '../../../src/core/index';
import { loadPredictions } from '../../../src/cli/commands/eval';

const DIR = join(__dirname, '../../fixtures/bad-input');

// [fixture, severity, line, column (0 = any), message pattern, rows kept (datasets only)]
type Case = [string, 'error' | 'warning', number, number, RegExp, number?];
const CASES: Case[] = [
  // ---- tools files
  ['tools-empty.json', 'error', 1, 1, /tools file is empty/],
  ['tools-whitespace.json', 'error', 1, 1, /tools file is empty/],
  ['tools-broken.json', 'error', 3, 1, /invalid JSON: the text ends too early/],
  ['tools-trailing-comma.json', 'error', 3, 1, /invalid JSON: trailing comma/],
  ['tools-comment.json', 'error', 1, 1, /comments are not allowed in JSON/],
  ['tools-top-string.json', 'error', 1, 1, /tools must be a JSON array .* not a string/],
  ['tools-top-number.json', 'error', 1, 1, /tools must be a JSON array .* not a number \(42\)/],
  ['tools-item-string.json', 'error', 2, 3, /a tool must be an object, not a string/],
  ['tools-no-name.json', 'error', 4, 17, /tool has no "name"/],
  ['tools-name-number.json', 'error', 3, 13, /tool "name" must be a string, not a number/],
  ['tools-bad-name.json', 'error', 3, 13, /invalid tool name "get weather"/],
  ['tools-long-name.json', 'error', 3, 13, /invalid tool name "a{65}": names are 1–64 characters/],
  ['tools-duplicate.json', 'error', 48, 3, /duplicate tool name "get_weather" \(also tool 0\)/],
  ['tools-params-array.json', 'error', 4, 19, /parameters of tool "a" must be a JSON Schema object, not an array/],
  ['tools-params-type-string.json', 'error', 5, 15, /must have "type": "object", not "string"/],
  ['tools-required-missing.json', 'error', 13, 9, /required parameter "y" of tool "a" is not in "properties"/],
  ['tools-required-not-array.json', 'error', 11, 19, /"required" of tool "a" must be an array/],
  ['tools-schema-invalid.json', 'error', 4, 19, /do not compile as JSON Schema: schema is invalid/],
  ['tools-properties-array.json', 'error', 6, 21, /"properties" of tool "a" must be an object/],
  ['tools-description-number.json', 'error', 4, 20, /"description" of tool "a" must be a string/],
  ['tools-type-not-function.json', 'error', 3, 13, /unsupported tool type "retrieval"/],
  ['tools-function-not-object.json', 'error', 4, 17, /"function" must be an object, not a string/],
  ['tools-bom.json', 'warning', 1, 1, /byte-order mark; it was ignored/],
  ['tools-invalid-utf8.json', 'error', 1, 15, /invalid UTF-8 \(byte 0xe9/],
  ['tools-bfcl.json', 'warning', 6, 15, /BFCL type "dict" in tool "math.factorial" read as JSON Schema "object"/],
  ['tools-crlf.json', 'error', 48, 2, /duplicate tool name "get_weather"/],
  ['tools-empty-list.json', 'warning', 1, 1, /the tools list is empty/],
  ['tools-utf16.json', 'error', 1, 1, /file is UTF-16 encoded, not UTF-8/],
  ['tools-wrapper-not-array.json', 'error', 2, 12, /"tools" must be an array of tools, not an object/],
  // ---- datasets (tools from _tools.json)
  ['data-empty.jsonl', 'error', 1, 1, /dataset is empty/, 0],
  ['data-blank-lines.jsonl', 'error', 1, 1, /dataset is empty/, 0],
  ['data-broken-json.jsonl', 'error', 2, 42, /invalid JSON: a comma is expected/, 1],
  ['data-top-array.jsonl', 'error', 2, 1, /a row must be a JSON object, not an array/, 1],
  ['data-top-string.jsonl', 'error', 1, 1, /a row must be a JSON object, not a string/, 0],
  ['data-unknown-format.jsonl', 'error', 1, 1, /row format not recognised/, 0],
  ['data-messages-not-array.jsonl', 'error', 1, 25, /"messages" must be an array, not a string/, 0],
  ['data-messages-empty.jsonl', 'error', 1, 25, /"messages" is empty/, 0],
  ['data-bad-role.jsonl', 'error', 1, 35, /message 0 has role "robot"/, 0],
  ['data-content-number.jsonl', 'error', 1, 54, /message 0 content must be a string, not a number/, 0],
  ['data-ends-assistant.jsonl', 'error', 1, 70, /the last message has role "assistant"/, 0],
  ['data-expected-object.jsonl', 'error', 1, 74, /"expected" must be an array of calls, not an object/, 0],
  ['data-unknown-tool.jsonl', 'error', 1, 84, /calls unknown tool "get_wether"/, 0],
  ['data-arg-wrong-type.jsonl', 'error', 1, 112, /get_weather: argument \/city must be string/, 0],
  ['data-arg-enum.jsonl', 'error', 1, 112, /argument \/unit must be one of: "celsius", "fahrenheit"/, 0],
  ['data-missing-required.jsonl', 'error', 1, 110, /set_timer: missing required argument \/minutes/, 0],
  ['data-unknown-arg.jsonl', 'error', 1, 110, /set_timer: unknown argument \/label/, 0],
  ['data-arguments-array.jsonl', 'error', 1, 110, /arguments must be an object, not an array/, 0],
  ['data-accept-unknown-param.jsonl', 'error', 1, 150, /accept names "town", which is not a parameter of get_weather/, 0],
  ['data-accept-not-array.jsonl', 'error', 1, 150, /accept\.city must be an array of acceptable values/, 0],
  ['data-optional-unknown.jsonl', 'error', 1, 144, /optional names "units", which is not a parameter/, 0],
  ['data-optional-required.jsonl', 'error', 1, 144, /optional names "city", which the schema of get_weather requires/, 0],
  ['data-duplicate-ids.jsonl', 'error', 2, 8, /duplicate id "ok-1"/, 1],
  ['data-id-object.jsonl', 'error', 1, 8, /"id" must be a non-empty string, not an object/, 0],
  ['data-id-empty.jsonl', 'error', 1, 8, /"id" must be a non-empty string/, 0],
  ['data-bom.jsonl', 'warning', 1, 1, /byte-order mark; it was ignored/, 1],
  ['data-crlf.jsonl', 'error', 3, 85, /calls unknown tool "nope"/, 2],
  ['data-invalid-utf8.jsonl', 'error', 2, 58, /invalid UTF-8 \(byte 0xe9\)/, 1],
  ['data-xlam-bad-answers.jsonl', 'error', 1, 0, /"answers" is a string that is not valid JSON/, 0],
  ['data-xlam-bad-tools.jsonl', 'error', 1, 50, /tools: invalid tool name "get weather"/, 0],
  ['data-openai-no-assistant.jsonl', 'error', 1, 14, /no assistant message to take the answer from/, 0],
  ['data-openai-bad-arguments.jsonl', 'error', 1, 189, /"arguments" is a string that is not valid JSON/, 0],
  ['data-sharegpt-bad-role.jsonl', 'error', 1, 29, /unknown ShareGPT role "robot"/, 0],
  ['data-sharegpt-bad-call.jsonl', 'error', 1, 94, /the gpt turn's tool calls do not parse: invalid JSON in <tool_call>/, 0],
  ['data-row-tools-invalid.jsonl', 'error', 1, 100, /tools: parameters of tool "a" do not compile as JSON Schema/, 0],
  ['data-utf16.jsonl', 'error', 1, 1, /file is UTF-16 encoded, not UTF-8/, 0],
  // ---- predictions files
  ['preds-not-json.jsonl', 'error', 1, 1, /invalid JSON/],
  ['preds-no-output.jsonl', 'error', 1, 1, /prediction "ok-1" has no "output" string/],
  ['preds-duplicate.jsonl', 'error', 2, 1, /duplicate prediction for id "ok-1"/],
  ['preds-top-array.jsonl', 'error', 1, 1, /a prediction must be a JSON object/],
  ['preds-utf16.jsonl', 'error', 1, 1, /file is UTF-16 encoded/],
];

test('the table covers every fixture, and there are at least 40', () => {
  const files = readdirSync(DIR).filter((f) => !f.startsWith('_')).sort();
  assert.deepEqual(CASES.map((c) => c[0]).sort(), files);
  assert.ok(files.length >= 40);
});

test('each malformed fixture gives its intended diagnostic', async () => {
  const tools = await loadTools(join(DIR, '_tools.json'));
  assert.deepEqual(tools.diagnostics, []);
  for (const [file, severity, line, column, pattern, kept] of CASES) {
    const path = join(DIR, file);
    let diags: Diagnostic[];
    if (file.startsWith('tools-')) diags = (await loadTools(path)).diagnostics;
    else if (file.startsWith('preds-')) diags = (await loadPredictions(path)).diagnostics;
    else {
      const r = await loadDataset(path, { tools: tools.tools });
      diags = r.diagnostics;
      assert.equal(r.kept, kept, `${file}: rows kept`);
    }
    const hit = diags.find((d) => pattern.test(d.message));
    assert.ok(hit, `${file}: no diagnostic matches ${pattern}; got:\n${diags.map(formatDiagnostic).join('\n')}`);
    assert.equal(hit.file, path, file);
    assert.equal(hit.severity, severity, file);
    assert.equal(hit.line, line, `${file}: line`);
    if (column) assert.equal(hit.column, column, `${file}: column`);
    // Every error names a fix or a pointer to the field.
    if (severity === 'error' && !file.startsWith('preds-')) assert.ok(hit.hint || hit.pointer !== undefined, `${file}: no hint or pointer`);
  }
});

test('a 10 MB row is reported and skipped without stopping the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-10mb-'));
  try {
    const ok = '{"id": "a", "messages": [{"role": "user", "content": "Weather in Paris?"}], "expected": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}';
    const huge = `{"id": "b", "messages": [{"role": "user", "content": "${'x'.repeat(10 * 1048576)}"}], "expected": []}`;
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, `${ok}\n${huge}\n${ok.replace('"a"', '"c"')}\n`);
    const tools = await loadTools(join(DIR, '_tools.json'));
    const r = await loadDataset(path, { tools: tools.tools });
    assert.equal(r.kept, 2);
    assert.equal(r.skipped, 1);
    assert.equal(r.diagnostics.length, 1);
    assert.match(formatDiagnostic(r.diagnostics[0]!), /big\.jsonl:2:1: error: row is 10\.0 MB; rows are limited to 1\.0 MB/);
    // A 10 MB tools string value is fine in a tools file (no row limit there), but a 10 MB last line without a
    // newline is still caught.
    writeFileSync(path, `${ok}\n${huge}`);
    const r2 = await loadDataset(path, { tools: tools.tools });
    assert.equal(r2.kept, 1);
    assert.match(r2.diagnostics[0]!.message, /row is 10\.0 MB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing files and directories are one clear diagnostic', async () => {
  const t = await loadTools('/nonexistent/tools.json');
  assert.match(t.diagnostics[0]!.message, /tools file not found/);
  const d = await loadDataset('/nonexistent/train.jsonl');
  assert.match(d.diagnostics[0]!.message, /dataset file not found/);
  const dir = await loadDataset(DIR);
  assert.match(dir.diagnostics[0]!.message, /dataset path is a directory/);
});
