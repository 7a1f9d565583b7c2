// Finding the Python that runs the engine (rust-analyzer's bootstrap.ts finds its server binary the same way):
// the `tooltune.pythonPath` setting, else the Python extension's active interpreter, else python3. Preflight
// explains every failure with the command that fixes it; we offer fixes as terminal commands and never run sudo.
import * as vscode from 'vscode';
import type { PreflightResult, PythonCandidate } from '../engine/python';
import { mayAskPythonExtension } from './trust';

/** The Python extension's API surface we use (ms-python.python, `environments`); no npm package needed. */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined };
}

export async function pythonFromPythonExtension(resource?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const p = api?.environments?.getActiveEnvironmentPath(resource)?.path;
    return p && p !== 'python' ? p : undefined;
  } catch { return undefined; }
}

/** Ordered candidates: setting, Python extension, then the engine's defaults (TOOLTUNE_PYTHON, python3, …). */
export async function pythonCandidates(setting: string | undefined, trusted: boolean, resource?: vscode.Uri): Promise<PythonCandidate[]> {
  const { defaultCandidates, withPythonExtension } = await import('../engine/python');
  // The Python extension's choice names an executable too: only in a trusted workspace.
  const fromExt = mayAskPythonExtension(trusted) ? await pythonFromPythonExtension(resource) : undefined;
  return withPythonExtension(defaultCandidates(setting), fromExt, !!setting);
}

export async function runPreflight(candidates: PythonCandidate[], diskPath: string | undefined): Promise<PreflightResult> {
  const { preflight } = await import('../engine/python');
  return preflight(candidates, { ...(diskPath ? { diskPath } : {}), timeoutSeconds: 60 });
}

export async function formatReport(r: PreflightResult): Promise<string> {
  return (await import('../engine/python')).formatPreflight(r);
}

/** Shell commands quoted in `fix` texts (between backticks), e.g. a venv with torch: offered as terminal commands. */
export function fixCommands(r: Pick<PreflightResult, 'problems'>): string[] {
  const out: string[] = [];
  for (const p of r.problems) for (const m of p.fix.matchAll(/`([^`]+)`/g)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** Show a failed preflight: one error message; details in the output channel; fixes typed into a terminal
 *  (not run: the user reads and presses Enter, so nothing runs with privileges behind their back). */
export async function explainPreflightFailure(r: PreflightResult, output: vscode.OutputChannel): Promise<void> {
  output.appendLine('[preflight] ' + (await formatReport(r)).replace(/\n/g, '\n[preflight] '));
  const cmds = fixCommands(r);
  const first = r.problems[0];
  const choice = await vscode.window.showErrorMessage(
    `ToolTune: no Python with torch was found. ${first ? first.message + '.' : ''}`,
    ...(cmds.length ? ['Open Terminal with Fix'] : []), 'Select Python Interpreter', 'Show Details');
  if (choice === 'Show Details') output.show(true);
  else if (choice === 'Select Python Interpreter') await vscode.commands.executeCommand('tooltune.selectPython');
  else if (choice === 'Open Terminal with Fix') {
    const cmd = cmds.length === 1 ? cmds[0] : await vscode.window.showQuickPick(cmds, { title: 'Command to type into a terminal (you run it)' });
    if (!cmd) return;
    const term = vscode.window.createTerminal({ name: 'ToolTune setup' });
    term.show();
    term.sendText(cmd, false);
  }
}
