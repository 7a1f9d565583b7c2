// The tuned model inline in a real VS Code (code-server 4.139.1 + Chromium), issue #6: the Testing view runs a
// `.tooltest` file against a model the CLI really trained and exported (one case passes, one fails with a diff), and
// an empty line after a `user:` line gets the model's tool call as ghost text, which Tab accepts.
// Needs `bash scripts/e2e-setup.sh` and the trainer (dist/cli.js, torch); run with `node scripts/test.mjs e2e`.
// Screenshots: .vscode-test/screenshots/inference-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, VT, answerQuickPick, outputChannelLog, runCommand, shot, startSession, stopSession, waitForText, type Session } from './harness';

/** Its own run folder (user data, workspace), so the other e2e file's fresh `.vscode-test/run/` is left alone. */
const RUN_DIR = join(VT, 'run-inference');
const WORKSPACE = join(RUN_DIR, 'workspace');
const PYTHON = process.env.TOOLTUNE_PYTHON ?? '/usr/bin/python3';
let s: Session | undefined;
let page: Page;
let trainLog = '';

/** The model under test is trained here by the CLI (built in before()), which needs a Python with torch. */
function trainerAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

const TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city.', parameters: { type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a timer.', parameters: { type: 'object',
    properties: { minutes: { type: 'integer' } }, required: ['minutes'] } } },
];
const PARIS = ["What's the weather in Paris?", 'Weather in Paris, please.', 'How is the weather in Paris today?', 'Is it raining in Paris?'];

/** A domain the tiny demo model learns in a short SFT warm start: one request (in four phrasings), one call. On 2
 *  loaded cores that is what fits in the test's time; the model then answers the Paris case right and has never seen
 *  a timer request, so that case fails for real. */
function trainRows(): string {
  return Array.from({ length: 24 }, (_, i) => JSON.stringify({ id: `w${i}`, messages: [{ role: 'user', content: PARIS[i % PARIS.length] }],
    expected: [{ name: 'get_weather', arguments: { city: 'Paris' } }] })).join('\n') + '\n';
}

/** The workspace: tools, data, a `.tooltest` file with one case the model passes and one it fails, and a trained run. */
function makeWorkspace(): void {
  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(join(WORKSPACE, '.tooltune'), { recursive: true });
  writeFileSync(join(WORKSPACE, 'tools.json'), JSON.stringify(TOOLS, null, 2) + '\n');
  writeFileSync(join(WORKSPACE, 'train.jsonl'), trainRows());
  // an eval split (recorded in the run's config.json): what "Evaluate Model" scores the exported model on
  writeFileSync(join(WORKSPACE, 'eval.jsonl'), [
    { id: 'e0', messages: [{ role: 'user', content: "What's the weather in Paris?" }], expected: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
    { id: 'e1', messages: [{ role: 'user', content: 'Set a timer for 12 minutes.' }], expected: [{ name: 'set_timer', arguments: { minutes: 12 } }] },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(WORKSPACE, 'calls.tooltest'), [
    'tools: tools.json',
    '',
    'case: weather in Paris',
    "user: What's the weather in Paris?",
    'call: {"name": "get_weather", "arguments": {"city": "Paris"}}',
    '',
    'case: a timer the model never learned',
    'user: Set a timer for 12 minutes.',
    'call: {"name": "set_timer", "arguments": {"minutes": 12}}',
    '',
  ].join('\n'));
  writeFileSync(join(WORKSPACE, '.tooltune', 'config.json'), `{
  // e2e: a short SFT warm start teaches the tiny demo model the call format (the step count, not the time budget,
  // bounds it, so a loaded machine gets the same model, later); one GRPO step; ONNX export on
  "max_steps": 1, "prompts_per_step": 2, "num_generations": 2, "max_completion_length": 48,
  "sft": { "steps": 40, "batch_size": 4, "learning_rate": 3e-3, "lr_scheduler_type": "cosine", "warmup_steps": 5, "max_minutes": 4, "restarts": [] },
  "eval": { "every": 0, "max_rows": 4, "pass_at_k": 0 }, "save_steps": 0, "export_onnx": true
}
`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'train', '--tools', 'tools.json', '--data', 'train.jsonl', '--eval-data', 'eval.jsonl',
    '--model', 'demo', '--preset', 'demo', '--name', 'e2e', '--python', PYTHON], { cwd: WORKSPACE, encoding: 'utf8', maxBuffer: 1 << 26,
    // the demo model is built once into a cache under .vscode-test/, never into ~/.cache
    env: { ...process.env, TOOLTUNE_CACHE: join(VT, 'tooltune-cache') } });
  trainLog = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, `tooltune train failed:\n${trainLog.slice(-3000)}`);
  const runs = readdirSync(join(WORKSPACE, '.tooltune', 'runs'));
  assert.equal(runs.length, 1);
  assert.ok(existsSync(join(WORKSPACE, '.tooltune', 'runs', runs[0]!, 'final', 'onnx', 'model.onnx')), 'the run exported final/onnx/model.onnx');
  console.log(`trained and exported the demo model in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

before(async () => {
  if (!trainerAvailable()) return;
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
  makeWorkspace();
  s = await startSession(WORKSPACE, { TOOLTUNE_PYTHON: PYTHON }, RUN_DIR);
  page = s.page;
});

after(async () => { await stopSession(s); });

const skip = !trainerAvailable() && `needs a Python with torch (${PYTHON}) to train the model under test`;

test('the Testing view runs a .tooltest file against the tuned model: one case passes, one fails', { timeout: 150_000, skip }, async () => {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  const explorer = page.locator('.test-explorer');
  const fileRow = explorer.locator('[role="treeitem"]', { hasText: 'calls.tooltest' }).first();
  // Found without opening the file: the extension activates on `workspaceContains` and the controller scans the folder.
  await fileRow.waitFor({ timeout: 60_000 });
  await shot(page, 'inference-01-test-explorer');
  await runCommand(page, 'Test: Run All Tests');
  // The run's summary line reaches the Test Results output when every case has a verdict.
  let output: string;
  try {
    output = await waitForText(page, '.part.panel', /\[tuned model\] \d+ passed, \d+ failed/, 90_000);
  } catch (e) {
    await shot(page, 'inference-fail-tests');
    console.log(await explorer.innerText(), '\n--- train log ---\n', trainLog.slice(-2000));
    throw e;
  }
  assert.match(output, /\[tuned model\] 1 passed, 1 failed, 0 skipped, 0 errored \(2 cases\)/);
  assert.match(output, /PASS weather in Paris/);
  assert.match(output, /FAIL a timer the model never learned[\s\S]*missing call set_timer/);
  // The Testing view: the file shows 1/2, and expanded, each case carries its own verdict icon.
  assert.match((await explorer.innerText()).replace(/\s+/g, ' '), /1\/2/);
  await fileRow.locator('.monaco-tl-twistie').click();
  const caseRow = (name: string) => explorer.locator('[role="treeitem"]', { hasText: name }).first();
  await caseRow('weather in Paris').locator('.codicon-testing-passed-icon').waitFor({ timeout: 10_000 });
  await caseRow('a timer the model never learned').locator('.codicon-testing-failed-icon').waitFor({ timeout: 10_000 });
  console.log('test explorer rows:', await explorer.locator('[role="treeitem"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))));
  await shot(page, 'inference-02-one-passed-one-failed');
  // The failure is a diff (TestMessage.diff: expected ↔ the model's calls): selecting the failed case in the Test
  // Results panel shows it in a diff editor.
  await page.locator('.part.panel [role="treeitem"]', { hasText: 'a timer the model never learned' }).first().click();
  const diff = page.locator('.monaco-diff-editor', { hasText: 'set_timer' }).first();
  await diff.waitFor({ timeout: 20_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-peek'); throw e; });
  assert.match((await diff.innerText()).replace(/\u00a0/g, ' '), /"name": "set_timer"/);
  await shot(page, 'inference-03-failure-peek');
});

/** Open a workspace file alone (Go to File), wait for `shown` in it, and put the cursor at its end. */
async function openAtEnd(file: string, shown: string) {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Go to File...');
  await page.locator('.quick-input-widget input.input').fill(file);
  await page.locator('.quick-input-widget [role="option"]', { hasText: file }).first().click();
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines', { hasText: shown }).waitFor({ timeout: 20_000 });
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  return editor;
}

test('ghost text after a `user:` line suggests the model\'s tool call, and Tab accepts it', { timeout: 120_000, skip }, async () => {
  const editor = await openAtEnd('calls.tooltest', 'weather in Paris');
  // A new case: typing the `user:` line and Enter leaves the cursor on the empty line below it.
  await page.keyboard.type("\ncase: typed in the editor\nuser: Is it raining in Paris?\n", { delay: 10 });
  const ghost = editor.locator('.ghost-text-decoration, .ghost-text').first();
  try {
    await ghost.waitFor({ timeout: 30_000 });
  } catch {
    // Typing fires the suggestion; ask again explicitly if the debounce swallowed it.
    await runCommand(page, 'Trigger Inline Suggestion');
    await ghost.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-ghost'); throw e; });
  }
  const ghostText = (await editor.locator('.ghost-text-decoration, .ghost-text').allInnerTexts()).join('').replace(/\u00a0/g, ' ');
  console.log('ghost text:', ghostText);
  await shot(page, 'inference-04-ghost-text');
  assert.match(ghostText, /call: \{"name": "get_weather", "arguments": \{/);
  await page.keyboard.press('Tab');
  // Monaco renders spaces as U+00A0: normalise before matching.
  const lines = editor.locator('.view-lines');
  const accepted = async () => (await lines.innerText()).replace(/\u00a0/g, ' ').split('\n').filter((l) => l.startsWith('call: {"name": "get_weather"'));
  const deadline = Date.now() + 10_000;
  while ((await accepted()).length < 2 && Date.now() < deadline) await page.waitForTimeout(200);
  await shot(page, 'inference-05-accepted');
  // the file's own Paris case plus the accepted suggestion, now real text on line 13 (no ghost left)
  assert.equal((await accepted()).length, 2, (await lines.innerText()).replace(/\u00a0/g, ' '));
  assert.equal(await editor.locator('.ghost-text-decoration, .ghost-text').count(), 0);
});

test('ghost text in a dataset JSONL row being written suggests its `expected` calls, and Tab accepts them', { timeout: 120_000, skip }, async () => {
  const editor = await openAtEnd('train.jsonl', 'Paris');   // the cursor on the empty line after the last row
  // inserted as text (typed keys would meet the editor's bracket auto-closing), up to the `"expected":` key
  const row = '{"id": "typed", "messages": [{"role": "user", "content": "Is it raining in Paris?"}], "expected":';
  await page.keyboard.insertText(row);
  await runCommand(page, 'Trigger Inline Suggestion');
  const ghost = editor.locator('.ghost-text-decoration, .ghost-text').first();
  await ghost.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-jsonl-ghost'); throw e; });
  const ghostText = (await editor.locator('.ghost-text-decoration, .ghost-text').allInnerTexts()).join('').replace(/\u00a0/g, ' ');
  console.log('JSONL ghost text:', ghostText);
  await shot(page, 'inference-06-jsonl-ghost-text');
  // (the row's closing brace comes with the suggestion unless the editor already put one after the cursor)
  assert.match(ghostText, /^ ?\[\{"name": "get_weather", "arguments": \{"city": "Paris"\}\}\]\}?$/);
  await page.keyboard.press('Tab');
  const typedRow = async () => (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ').split('\n').find((l) => l.includes('"id": "typed"')) ?? '';
  const deadline = Date.now() + 10_000;
  while (!(await typedRow()).endsWith('}') && Date.now() < deadline) await page.waitForTimeout(200);
  // the accepted row is a complete dataset row whose expected call is the model's
  const accepted = JSON.parse(await typedRow()) as { expected: unknown };
  assert.deepEqual(accepted.expected, [{ name: 'get_weather', arguments: { city: 'Paris' } }]);
});

function toolTuneLog(): string { return outputChannelLog(RUN_DIR); }

async function waitForLog(re: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = toolTuneLog();
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} in the ToolTune log; it ends:\n${text.slice(-2000)}`);
    await page.waitForTimeout(500);
  }
}

test('Evaluate Model and Export Model from the palette: the run is scored on its eval split, its cases run, int8 is exported', { timeout: 300_000, skip }, async () => {
  await runCommand(page, 'ToolTune: Evaluate Model');
  await answerQuickPick(page, 'Evaluate which run', 'e2e');
  // two CLI tasks: `tooltune eval --model` on the run's eval split, then `tooltune test` on the workspace's cases
  // (whose failing timer case is a result, reported as such, not as a failed command)
  let log = await waitForLog(/\[test\] Running 1 \.tooltest file against e2e-\S+ (finished|failed)[^\n]*/, 180_000)
    .catch(async (e: unknown) => { await shot(page, 'inference-fail-evaluate'); throw e; });
  assert.match(log, /\[eval\] Evaluating e2e-\S+ on \S+eval\.jsonl finished\./);
  // the exported model answers the Paris row as it answers the Paris case: 1 of 2 right, the timer row wrong
  assert.match(log, /overall\s+2\s+50\.0%/);
  assert.match(log, /e1 \[single\]: missing call set_timer/);
  assert.match(log, /\[test\] Running 1 \.tooltest file against e2e-\S+ finished; some cases failed \(see the log\)\./);
  // (the ghost-text test above may have added its accepted case to the file: it passes too)
  assert.match(log, /\d passed, 1 failed, 0 skipped, 0 errored \(\d cases\)/);
  await runCommand(page, 'ToolTune: Show Log');
  await waitForText(page, '.part.panel', /Running 1 \.tooltest file/, 10_000).catch(() => undefined); // let it render
  await shot(page, 'inference-06-evaluate');

  await runCommand(page, 'ToolTune: Export Model');
  await answerQuickPick(page, 'Export which run', 'e2e');
  await answerQuickPick(page, 'Export e2e', 'fp32 + int8 head');
  log = await waitForLog(/\[export\] Exporting e2e-\S+ to ONNX (finished|failed)[^\n]*/, 180_000)
    .catch(async (e: unknown) => { await shot(page, 'inference-fail-export'); throw e; });
  assert.match(log, /\[export\] Exporting e2e-\S+ to ONNX finished\./);
  const run = readdirSync(join(WORKSPACE, '.tooltune', 'runs'))[0]!;
  assert.ok(existsSync(join(WORKSPACE, '.tooltune', 'runs', run, 'final', 'onnx', 'model_int8.onnx')), 'final/onnx/model_int8.onnx');
  await shot(page, 'inference-07-exported');
  // The extension host measured its own event loop during every request of the tests above (Testing view, ghost
  // text): printed for the record (the 50 ms target is a figure, reported in the README, not a timed assertion).
  const lines = [...toolTuneLog().matchAll(/extension host event loop while (loading the model \(\d+ ms\)|generating \d+ tokens): max delay ([\d.]+) ms \(this thread busy ([\d.]+) ms(?:, waiting for a CPU core ([\d.]+) ms)?\)/g)];
  console.log(`extension host event loop per request:\n  ${lines.map((m) => m[0]).join('\n  ')}`);
  assert.ok(lines.filter((m) => m[1]!.startsWith('generating')).length >= 3, 'one measurement per inference request');
  assert.ok(lines[0]![1]!.startsWith('loading the model'), 'the first request loaded the model, measured on its own');
  for (const m of lines) {
    const [delay, busy, wait] = [m[2], m[3], m[4] ?? '0'].map(Number);
    assert.ok([delay, busy, wait].every((v) => Number.isFinite(v) && v! >= 0), m[0]);
  }
});

test('the Testing view\'s "Base model" profile runs the cases against the run\'s SFT warm start', { timeout: 150_000, skip }, async () => {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  const explorer = page.locator('.test-explorer');
  const fileRow = explorer.locator('[role="treeitem"]', { hasText: 'calls.tooltest' }).first();
  await fileRow.waitFor({ timeout: 30_000 });
  // the file's context menu → "Execute Using Profile..." → the second run profile
  await fileRow.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-label', { hasText: 'Execute Using Profile...' }).first();
  await item.waitFor({ timeout: 10_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-base-menu'); throw e; });
  await item.hover();                                   // the menu acts on the highlighted entry
  await page.keyboard.press('Enter');
  const base = page.locator('.quick-input-widget [role="option"]', { hasText: 'Base model' }).first();
  await base.waitFor({ timeout: 20_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-base-pick'); throw e; });
  await shot(page, 'inference-08-profiles');
  await base.click();
  const output = await waitForText(page, '.part.panel', /\[base model\] \d+ passed, \d+ failed/, 90_000)
    .catch(async (e: unknown) => { await shot(page, 'inference-fail-base-profile'); throw e; });
  console.log((output.match(/\[base model\][^\n]*/) ?? [''])[0]);
  // the SFT warm start (exported next to final/) answered: every case got a verdict, none errored
  assert.match(output, /\[base model\] \d+ passed, \d+ failed, 0 skipped, 0 errored/);
  assert.match(toolTuneLog(), /\[tests\] base model: /);
  await shot(page, 'inference-09-base-model');
});

test('opening a .tooltest file loads the model ahead of ghost text: its first suggestion then skips loading', { timeout: 120_000, skip }, async () => {
  // The "Base model" run above left the SFT model in the worker; ghost text asks for the run's int8 export (made in
  // the Export test), so opening the file must load that now.
  const from = toolTuneLog().length;
  const since = async (re: RegExp) => {
    const end = Date.now() + 60_000;
    for (;;) {
      const m = toolTuneLog().slice(from).match(re);
      if (m) return m[0];
      if (Date.now() > end) { await shot(page, 'inference-fail-preload'); throw new Error(`timed out waiting for ${re}; the log ends:\n${toolTuneLog().slice(-2000)}`); }
      await page.waitForTimeout(300);
    }
  };
  const editor = await openAtEnd('calls.tooltest', 'weather in Paris');
  console.log(await since(/\[inference\] ghost text: loaded \S+ \(int8\) in \d+ ms when calls\.tooltest was opened/));
  console.log(await since(/\[inference\] extension host event loop while loading the model[^\n]*/));
  assert.match(toolTuneLog().slice(from), /\[inference\] loaded \S+model_int8\.onnx \(ort\) in \d+ ms/);
  await page.keyboard.type("\ncase: after the preload\nuser: Weather in Paris, please.\n", { delay: 10 });
  const ghost = editor.locator('.ghost-text-decoration, .ghost-text').first();
  await ghost.waitFor({ timeout: 30_000 }).catch(async () => {
    await runCommand(page, 'Trigger Inline Suggestion');
    await ghost.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => { await shot(page, 'inference-fail-preload-ghost'); throw e; });
  });
  const answered = await since(/\[inline\] \d+ call\(s\) in \d+ ms \([^\n]*\)/);
  console.log(answered);
  assert.doesNotMatch(answered, /load \d+ ms/, 'the suggestion found the model loaded');
  await page.keyboard.press('Escape');
});
