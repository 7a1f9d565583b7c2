// ToolTune in a real VS Code (code-server 4.139.1 + Chromium): activation time, the Train flow's Problems entry
// for an invalid tools file, the dashboard on a 20,000-step run, the Runs tree down to a rollout diff, and — when
// the trainer runs here — a real 3-step training run on the demo model, then a stopped run.
// Needs `bash scripts/e2e-setup.sh`; run with `node scripts/test.mjs e2e`. Screenshots: .vscode-test/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { lcg, metricsRow, writeRunFixture } from '../unit/vscode/runFixture';
import { ROOT, VT, answerQuickPick, dashboardFrame, runCommand, shot, startSession, stopSession, type Session } from './harness';

const WORKSPACE = join(VT, 'run', 'workspace');
const FIXTURE_RUN = 'fixture-20261122-000000';
const FIXTURE_STEPS = 20_000;
const SMALL_RUN = 'early-20261121-000000';
/** Steps the dashboard test appends to the fixture run while it is open. */
const APPENDED = 25;
let s: Session | undefined;
let page: Page;

/** Training works here when the built CLI answers `train --help` (the trainer lands separately from the extension). */
function trainerAvailable(): boolean {
  return existsSync(join(ROOT, 'dist', 'cli.js')) && spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'train', '--help'], { encoding: 'utf8' }).status === 0;
}

function makeWorkspace(): void {
  rmSync(join(VT, 'run'), { recursive: true, force: true });   // fresh user data, logs and workspace per run
  cpSync(join(ROOT, 'sample-workspace'), WORKSPACE, { recursive: true });
  rmSync(join(WORKSPACE, '.tooltune'), { recursive: true, force: true });
  // An invalid tools file: found by content, so the Train flow offers it; `unit` is required but not a property.
  writeFileSync(join(WORKSPACE, 'bad-tools.json'), `[
  {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city", "unit"]}}}
]
`);
  // A tiny training config: 3 GRPO steps, short completions, no SFT warm start, no ONNX export.
  mkdirSync(join(WORKSPACE, '.tooltune'), { recursive: true });
  writeFileSync(join(WORKSPACE, '.tooltune', 'config.json'), `{
  // e2e: as small as a run can be
  "max_steps": 3,
  "prompts_per_step": 2,
  "num_generations": 2,
  "max_completion_length": 16,
  "sft": { "steps": 0 },
  "eval": { "every": 0, "max_rows": 4, "pass_at_k": 0 },
  "save_steps": 0,
  "export_onnx": false
}
`);
  writeRunFixture(WORKSPACE, SMALL_RUN, { steps: 400, rowsPerStep: 2, groupSize: 2, rolloutSteps: 2, evalEvery: 100 });
  writeRunFixture(WORKSPACE, FIXTURE_RUN, { steps: FIXTURE_STEPS, rowsPerStep: 3, groupSize: 4, rolloutSteps: 4, evalEvery: 2_000 });
}

before(async () => {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
  makeWorkspace();
  const t0 = Date.now();
  s = await startSession(WORKSPACE, { TOOLTUNE_PYTHON: process.env.TOOLTUNE_PYTHON ?? '/usr/bin/python3' });
  page = s.page;
  console.log(`workbench visible after ${Date.now() - t0} ms`);
  await shot(page, '01-workbench');
});

after(async () => { await stopSession(s); });

async function outputText(): Promise<string> {
  await runCommand(page, 'ToolTune: Show Log');
  const lines = page.locator('.part.panel .view-lines');
  await lines.first().waitFor({ timeout: 20_000 });
  return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
}

test('activates on a folder with .tooltune/ in at most 50 ms of CPU and logs it', { timeout: 120_000 }, async () => {
  let text = '';
  const deadline = Date.now() + 60_000;
  while (!/ToolTune activated in/.test(text) && Date.now() < deadline) { text = await outputText(); if (!/activated/.test(text)) await page.waitForTimeout(1000); }
  await shot(page, '02-output-activation');
  const m = /ToolTune activated in ([\d.]+) ms, ([\d.]+) ms CPU/.exec(text);
  assert.ok(m, `no activation line in the ToolTune output:\n${text}`);
  console.log(`activate(): ${m[1]} ms wall, ${m[2]} ms CPU`);
  // CPU time is asserted: wall time also counts the moments a loaded 2-core box deschedules the extension host.
  assert.ok(Number(m[2]) <= 50, `activation used ${m[2]} ms CPU (target ≤ 50)`);
  assert.ok(Number(m[1]) <= 250, `activation took ${m[1]} ms wall`);
});

test('Train with an invalid tools file puts the problem in the Problems panel at file:line:col', { timeout: 120_000 }, async () => {
  await runCommand(page, 'ToolTune: Train Tool-Use Model');
  await answerQuickPick(page, 'tools file', 'bad-tools.json');
  await answerQuickPick(page, 'training data', 'train.jsonl');
  await answerQuickPick(page, 'eval split', 'eval.jsonl');
  await answerQuickPick(page, 'base model', 'Built-in demo model');
  await answerQuickPick(page, 'preset', 'demo');
  const toast = page.getByText(/problems? in the training inputs/).first();
  await toast.waitFor({ timeout: 30_000 });
  const msg = await toast.innerText();
  assert.match(msg, /bad-tools\.json:3:\d+/);
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const markers = page.locator('.markers-panel .monaco-list-row');
  await markers.filter({ hasText: 'unit' }).first().waitFor({ timeout: 20_000 });
  const text = await page.locator('.markers-panel').innerText();
  await shot(page, '03-problems');
  assert.match(text, /bad-tools\.json/);
  assert.match(text, /required parameter "unit" of tool "get_weather" is not in "properties"/);
  assert.match(text, /\[Ln 3, Col \d+\]/);
});

test(`dashboard draws a ${FIXTURE_STEPS.toLocaleString('en')}-step run and redraws fast`, { timeout: 120_000 }, async () => {
  await runCommand(page, 'ToolTune: Open Dashboard');
  const wv = dashboardFrame(page);
  await wv.locator(`body[data-steps="${FIXTURE_STEPS}"]`).waitFor({ timeout: 60_000 });
  await wv.locator('section.chart[data-chart="reward"] canvas').waitFor({ timeout: 20_000 });
  const charts = await wv.locator('section.chart').count();
  assert.ok(charts >= 8, `only ${charts} charts`);
  const first = Number(await wv.locator('body').getAttribute('data-last-draw-ms'));
  const points = Number(await wv.locator('body').getAttribute('data-points'));
  assert.ok(points > 0, 'the reward chart has points');
  // Redraw after a smoothing change: the cost of one update at 20,000 steps.
  const times: number[] = []; const parts: string[] = [];
  for (const v of ['0.9', '0.3', '0.75', '0.5', '0.6']) {
    await wv.locator('#smoothing').fill(v);
    await page.waitForTimeout(400);
    const body = wv.locator('body');
    times.push(Number(await body.getAttribute('data-last-draw-ms')));
    parts.push(`${await body.getAttribute('data-assemble-ms')}+${await body.getAttribute('data-plot-ms')}`);
  }
  const median = [...times].sort((a, b) => a - b)[2]!;
  console.log(`dashboard at ${FIXTURE_STEPS} steps: first draw ${first} ms (${points} points), redraws ${times.join(', ')} ms (data+plot: ${parts.join(', ')}), median ${median} ms`);
  // One redraw per animation frame at most, and steps arrive seconds apart: a redraw well under 150 ms is smooth.
  assert.ok(median < 150, `median redraw ${median} ms`);
  const rows = await wv.locator('#rollouts tbody tr').count();
  assert.equal(rows, 12, 'the latest step\'s 3 rows × 4 samples are in the table');
  await shot(page, '04-dashboard');
  // Live: steps appended to the run folder reach the open dashboard (the host tails metrics.jsonl).
  const rnd = lcg(7);
  const extra = Array.from({ length: APPENDED }, (_, i) => JSON.stringify(metricsRow(FIXTURE_STEPS + 1 + i, rnd))).join('\n') + '\n';
  appendFileSync(join(WORKSPACE, '.tooltune', 'runs', FIXTURE_RUN, 'metrics.jsonl'), extra);
  await wv.locator(`body[data-steps="${FIXTURE_STEPS + APPENDED}"]`).waitFor({ timeout: 20_000 });
  console.log(`append of ${APPENDED} steps at ${FIXTURE_STEPS} steps: redraw ${await wv.locator('body').getAttribute('data-last-draw-ms')} ms`);
  // Theme colours follow VS Code: switch to a dark theme and back, the charts restyle.
  await runCommand(page, 'Preferences: Color Theme');
  await answerQuickPick(page, '', 'Dark Modern', 30_000, /^Dark Modern$/);
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
  await wv.locator('body.vscode-dark').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  await shot(page, '04b-dashboard-dark');
  await runCommand(page, 'Preferences: Color Theme');
  await answerQuickPick(page, '', 'Light Modern', 30_000, /^Light Modern$/);
  await wv.locator('body.vscode-light').waitFor({ timeout: 20_000 });
});

test('a click on a rollout in the dashboard table opens its diff', { timeout: 60_000 }, async () => {
  const wv = dashboardFrame(page);
  await wv.locator('#rollouts tbody tr').first().click();
  const tab = page.locator('.tabs-container .tab', { hasText: 'expected ↔ model' });
  await tab.first().waitFor({ timeout: 20_000 });
  await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 20_000 });
  await shot(page, '05-diff-from-dashboard');
});

test('a second run overlays the first, and a window reload restores the dashboard as it was', { timeout: 150_000 }, async () => {
  await runCommand(page, 'ToolTune: Open Dashboard');
  const wv = dashboardFrame(page);
  await wv.locator(`body[data-primary="${FIXTURE_RUN}"]`).waitFor({ timeout: 30_000 });
  await wv.locator('#overlay-picker').click();
  await wv.locator('#overlay-picker vscode-option', { hasText: SMALL_RUN }).click();
  await wv.locator(`body[data-overlay="${SMALL_RUN}"]`).waitFor({ timeout: 30_000 });
  const legend = wv.locator('section.chart[data-chart="reward"] .legend');
  await legend.filter({ hasText: '▸ reward' }).waitFor({ timeout: 10_000 });
  await shot(page, '05b-overlay');
  await runCommand(page, 'Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  // The panel comes back through the serializer; its view state (runs, smoothing) through vscode.getState.
  const again = dashboardFrame(page);
  await again.locator(`body[data-primary="${FIXTURE_RUN}"][data-overlay="${SMALL_RUN}"][data-steps="${FIXTURE_STEPS + APPENDED}"]`).waitFor({ timeout: 90_000 });
  assert.equal(await again.locator('#smoothing').inputValue(), '0.6');
  await shot(page, '05c-after-reload');
});

test('the Runs tree lists runs → steps → rows → rollouts, and a rollout opens as a diff', { timeout: 90_000 }, async () => {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'ToolTune: Focus on Runs View');
  const tree = page.locator('.pane-body [role="tree"]').filter({ has: page.locator(`[aria-label*="${FIXTURE_RUN}"]`) });
  const run = tree.locator(`[role="treeitem"][aria-label*="${FIXTURE_RUN}"]`).first();
  await run.waitFor({ timeout: 30_000 });
  await run.click();
  const item = (label: RegExp) => tree.locator('[role="treeitem"]', { has: page.locator('.label-name', { hasText: label }) }).first();
  const step = item(new RegExp(`^step ${FIXTURE_STEPS}$`));
  await step.waitFor({ timeout: 20_000 });
  assert.ok(await tree.locator('[role="treeitem"]', { hasText: 'eval @ step' }).count() > 0, 'eval figures are listed');
  await step.click();
  const row = item(/^w-1$/);
  await row.waitFor({ timeout: 20_000 });
  await row.click();
  const rollout = item(/^#2 /);
  await rollout.waitFor({ timeout: 20_000 });
  assert.match(await rollout.innerText(), /reward \d\.\d\d/);
  await rollout.click();
  await page.locator('.tabs-container .tab', { hasText: 'expected ↔ model' }).first().waitFor({ timeout: 20_000 });
  const diff = page.locator('.monaco-diff-editor').first();
  await diff.locator('.view-lines', { hasText: 'get_weather' }).first().waitFor({ timeout: 20_000 });
  const text = (await diff.innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /"name": "get_weather"/);
  assert.match(text, /"city": "(Paris|Oslo|Lima|Rome)"/);
  await shot(page, '06-tree-diff');
});

test('Train on the demo model: the dashboard gets reward points and the Runs tree lists the rollouts', { timeout: 480_000, skip: !trainerAvailable() && 'dist/cli.js train is not built yet' }, async () => {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'ToolTune: Train Tool-Use Model');
  await answerQuickPick(page, 'tools file', 'tools.json', 30_000, /^tools\.json/);
  await answerQuickPick(page, 'training data', 'train.jsonl');
  await answerQuickPick(page, 'eval split', 'Split off 10%');
  await answerQuickPick(page, 'base model', 'Built-in demo model');
  await answerQuickPick(page, 'preset', 'demo');
  const wv = dashboardFrame(page);
  // The dashboard switches to the new run when it starts; steps arrive as the trainer writes them.
  const status = page.locator('.statusbar-item', { hasText: /step \d+\/3|SFT|starting|preparing|loading/ });
  await status.first().waitFor({ timeout: 120_000 });
  await shot(page, '07-training-statusbar');
  const done = page.getByText(/ToolTune: training (finished|failed)/).first();
  await done.waitFor({ timeout: 420_000 });
  const msg = await done.innerText();
  await shot(page, '08-training-done');
  assert.match(msg, /training finished/, msg);
  await wv.locator('body[data-steps="3"]').waitFor({ timeout: 30_000 });
  assert.ok(Number(await wv.locator('body').getAttribute('data-points')) > 0);
  await shot(page, '09-dashboard-live-run');
  const runs = readdirSync(join(WORKSPACE, '.tooltune', 'runs')).filter((r) => r !== FIXTURE_RUN && r !== SMALL_RUN);
  assert.equal(runs.length, 1);
  await runCommand(page, 'ToolTune: Focus on Runs View');
  const item = page.locator(`[role="treeitem"][aria-label*="${runs[0]}"]`).first();
  await item.waitFor({ timeout: 20_000 });
  await item.click();
  await page.locator('[role="treeitem"]', { hasText: 'step 3' }).first().waitFor({ timeout: 20_000 });
});

test('Stop Training checkpoints and stops a running run', { timeout: 480_000, skip: !trainerAvailable() && 'dist/cli.js train is not built yet' }, async () => {
  await runCommand(page, 'Notifications: Clear All Notifications');
  // Same choices (re-used from .tooltune/config.json), but a long run so there is something to stop.
  writeFileSync(join(WORKSPACE, '.tooltune', 'config.json'), `{
  "tools": "tools.json", "data": "train.jsonl", "eval_split": 10, "model": "demo", "preset": "demo",
  "max_steps": 20000, "max_minutes": 3, "prompts_per_step": 2, "num_generations": 2, "max_completion_length": 16,
  "sft": { "steps": 0 }, "eval": { "every": 0, "max_rows": 4, "pass_at_k": 0 }, "save_steps": 0, "export_onnx": false
}
`);
  await runCommand(page, 'ToolTune: Train Tool-Use Model');
  for (const title of ['tools file', 'training data', 'eval split', 'base model', 'preset']) {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');                       // the saved choice is first ("last used")
  }
  // 20,000 steps (at ~0.1 s a step on an idle machine, 200 were over before the stop arrived), capped at 3 minutes
  await page.locator('.statusbar-item', { hasText: /step [1-9]\d*\/20000/ }).first().waitFor({ timeout: 300_000 });
  await runCommand(page, 'ToolTune: Stop Training');
  // Earlier runs' notifications may still be in the DOM: wait for this run's outcome (a stop, or a failure).
  const done = page.getByText(/ToolTune: training (stopped|failed)/).first();
  await done.waitFor({ timeout: 180_000 });
  const msg = await done.innerText();
  await shot(page, '10-stopped');
  assert.match(msg, /training stopped at step \d+/, msg);
});

test('Resume Training continues the stopped run from its checkpoint', { timeout: 300_000, skip: !trainerAvailable() && 'dist/cli.js train is not built yet' }, async () => {
  await runCommand(page, 'Notifications: Clear All Notifications');
  const runs = join(WORKSPACE, '.tooltune', 'runs');
  const stopped = readdirSync(runs).map((d) => join(runs, d)).find((d) => /"status":\s*"stopped"/.test(readFileSync(join(d, 'status.json'), 'utf8')));
  assert.ok(stopped, 'the previous test left a stopped run');
  const stoppedAt = (JSON.parse(readFileSync(join(stopped!, 'status.json'), 'utf8')) as { step: number }).step;
  await runCommand(page, 'ToolTune: Resume Training');
  await answerQuickPick(page, 'Resume which run', basename(stopped!));
  // the same run folder goes on from its checkpoint: its events say so, and its step count passes the stop
  const deadline = Date.now() + 180_000;
  let events = '';
  while (Date.now() < deadline) {
    events = readFileSync(join(stopped!, 'events.log'), 'utf8');
    const step = (JSON.parse(readFileSync(join(stopped!, 'status.json'), 'utf8')) as { step: number }).step;
    if (/resuming from step \d+/.test(events) && step > stoppedAt) break;
    await page.waitForTimeout(500);
  }
  assert.match(events, /resuming from step \d+/);
  await page.locator('.statusbar-item', { hasText: /step \d+\/20000/ }).first().waitFor({ timeout: 60_000 });
  await shot(page, '11-resumed');
  await runCommand(page, 'ToolTune: Stop Training');
  const done = page.getByText(/ToolTune: training (stopped|failed) at step/).first();
  await done.waitFor({ timeout: 180_000 });
  assert.match(await done.innerText(), /training stopped at step \d+/);
  const after = (JSON.parse(readFileSync(join(stopped!, 'status.json'), 'utf8')) as { step: number }).step;
  assert.ok(after > stoppedAt, `resumed past step ${stoppedAt}: now ${after}`);
});

test('Select Python Interpreter lists the candidates, checks the choice for torch and saves it for the workspace', { timeout: 180_000, skip: !trainerAvailable() && 'no Python with torch here' }, async () => {
  const settings = join(WORKSPACE, '.vscode', 'settings.json');
  assert.ok(!existsSync(settings) || !/tooltune\.pythonPath/.test(readFileSync(settings, 'utf8')), 'no interpreter chosen yet');
  await runCommand(page, 'ToolTune: Select Python Interpreter');
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: 'Python for the ToolTune engine' }).waitFor({ timeout: 30_000 });
  const rows = (await widget.locator('[role="option"] .label-name').allInnerTexts()).map((r) => r.replace(/\u00a0/g, ' '));
  console.log('interpreter candidates:', rows);
  assert.ok(rows.includes('python3') && rows.some((r) => /Browse for an interpreter/.test(r)), rows.join(', '));
  await answerQuickPick(page, 'Python for the ToolTune engine', '/usr/bin/python3', 30_000, /^\/usr\/bin\/python3$/);
  // the preflight imports torch in it; then the choice is the workspace's tooltune.pythonPath
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !(existsSync(settings) && /tooltune\.pythonPath/.test(readFileSync(settings, 'utf8')))) await page.waitForTimeout(500);
  assert.equal((JSON.parse(readFileSync(settings, 'utf8')) as Record<string, unknown>)['tooltune.pythonPath'], '/usr/bin/python3');
  await page.getByText(/ToolTune: using \/usr\/bin\/python3 \(torch [\d.]+/).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
  await shot(page, '12-python-selected');
});
