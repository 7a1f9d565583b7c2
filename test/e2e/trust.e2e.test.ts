// Workspace Trust in a real VS Code (code-server + Chromium), issue #5: a folder opened in Restricted Mode keeps
// ToolTune's process-starting commands out of the palette (package.json `enablement`), and running its tool-call
// tests asks for trust first; cancelling loads no model and runs no case. (The folder's own `tooltune.pythonPath`
// is ignored there: src/vscode/trust.ts, unit-tested.)
// Screenshots: .vscode-test/screenshots/trust-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { VT, e2eReady, outputChannelLog, runCommand, shot, startSession, stopSession, type Session } from './harness';

const RUN_DIR = join(VT, 'run-trust');
const WORKSPACE = join(RUN_DIR, 'workspace');
let s: Session | undefined;
let page: Page;

before(async () => {
  if (!e2eReady()) return;
  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(join(WORKSPACE, '.tooltune'), { recursive: true });
  mkdirSync(join(WORKSPACE, '.vscode'), { recursive: true });
  // a workspace that names its own "Python": restricted mode must not run it
  writeFileSync(join(WORKSPACE, '.vscode', 'settings.json'), JSON.stringify({ 'tooltune.pythonPath': './evil-python' }));
  writeFileSync(join(WORKSPACE, 'tools.json'), JSON.stringify([{ type: 'function', function: { name: 'get_weather',
    description: 'Weather.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]));
  writeFileSync(join(WORKSPACE, 'calls.tooltest'), 'tools: tools.json\n\ncase: weather\nuser: Weather in Paris?\ncall: {"name": "get_weather", "arguments": {"city": "Paris"}}\n');
  s = await startSession(WORKSPACE, {}, RUN_DIR, { trusted: false });
  page = s.page;
});

after(async () => { await stopSession(s); });

const skip = !e2eReady() && 'the e2e VS Code is not set up (bash scripts/e2e-setup.sh)';

/** The palette rows shown for a query (ToolTune's commands are all under "ToolTune: "). */
async function paletteRows(query: string): Promise<string[]> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + query);
  await page.locator('.quick-input-widget [role="option"]').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(500);
  const rows = await page.locator('.quick-input-widget [role="option"] .label-name').allInnerTexts();
  await page.keyboard.press('Escape');
  return rows.map((r) => r.replace(/\u00a0/g, ' '));
}

test('in Restricted Mode the commands that start processes are not offered; the others are', { timeout: 120_000, skip }, async () => {
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
  // the extension is active (its always-safe commands are there) …
  let rows: string[] = [];
  for (let i = 0; i < 20 && !rows.includes('ToolTune: Open Dashboard'); i++) { rows = await paletteRows('ToolTune:'); if (!rows.includes('ToolTune: Open Dashboard')) await page.waitForTimeout(1000); }
  console.log('palette in restricted mode:', rows);
  assert.ok(rows.includes('ToolTune: Open Dashboard'), rows.join(', '));
  // … but nothing that starts Python, the worker, or runs the workspace's model
  for (const gated of ['ToolTune: Train Tool-Use Model', 'ToolTune: Resume Training', 'ToolTune: Evaluate Model', 'ToolTune: Export Model', 'ToolTune: Select Python Interpreter']) {
    assert.ok(!rows.includes(gated), `${gated} is offered in Restricted Mode`);
  }
  await shot(page, 'trust-01-palette');
});

test('in Restricted Mode running the tool-call tests asks for trust first, and cancelling runs nothing', { timeout: 120_000, skip }, async () => {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  await page.locator('.test-explorer [role="treeitem"]', { hasText: 'calls.tooltest' }).first().waitFor({ timeout: 60_000 });
  await runCommand(page, 'Test: Run All Tests');
  // VS Code's own guard comes first ("Running tests may execute code in your workspace"); ToolTune's run handler
  // refuses too (src/vscode/trust.ts) should it ever be reached untrusted.
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors' });
  await dialog.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => { await shot(page, 'trust-fail-dialog'); throw e; });
  await shot(page, 'trust-02-run-asks-for-trust');
  await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Cancel' }).first().click();
  await page.waitForTimeout(3_000);
  const log = outputChannelLog(RUN_DIR);
  assert.doesNotMatch(log, /\[inference\] loaded/, 'no model was loaded');
  assert.doesNotMatch(log, /\[tests\] tuned model: \d+ passed/, 'no case ran');
  assert.ok(await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().isVisible(), 'still in Restricted Mode');
  await shot(page, 'trust-03-cancelled');
});
