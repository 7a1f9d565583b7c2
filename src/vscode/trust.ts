// Workspace Trust decisions, kept free of the `vscode` import so they are unit-tested (test/unit/vscode/trust.test.ts).
// A workspace that is not trusted may hold a malicious `.vscode/settings.json` or model: nothing in it may choose an
// executable, and nothing that starts a process or loads the workspace's model runs (package.json
// `capabilities.untrustedWorkspaces`: "limited", `tooltune.pythonPath` restricted).

/** What VS Code's `WorkspaceConfiguration.inspect` returns for one setting (the parts we read). */
export interface SettingValues { globalValue?: string; workspaceValue?: string; workspaceFolderValue?: string }

/** `tooltune.pythonPath` as the engine should see it: in an untrusted workspace only the user's own (global)
 *  value counts; VS Code already withholds restricted workspace values there, and we do not rely on that alone. */
export function effectivePythonPath(trusted: boolean, v: SettingValues | undefined): string | undefined {
  const pick = trusted ? (v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue) : v?.globalValue;
  return pick?.trim() || undefined;
}

/** The Python extension's active interpreter is an executable chosen per workspace: only asked when trusted. */
export function mayAskPythonExtension(trusted: boolean): boolean {
  return trusted;
}

/** Features that start processes or run the workspace's model. */
export type GatedFeature = 'Training' | 'Resuming training' | 'Evaluation' | 'Export' | 'Tool-call tests' | 'Ghost text'
  | 'Choosing the Python interpreter';

/** undefined when allowed; else the message that says why not and how to allow it. */
export function trustGate(trusted: boolean, what: GatedFeature): string | undefined {
  if (trusted) return undefined;
  const runs = what === 'Tool-call tests' || what === 'Ghost text'
    ? 'loads and runs this workspace\'s model in a worker'
    : 'starts processes (Python, the model worker)';
  return `${what} ${runs}, which is disabled until you trust this workspace (Manage Workspace Trust).`;
}
