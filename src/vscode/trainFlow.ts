// "ToolTune: Train Tool-Use Model": quick picks for tools file, dataset, eval split, base model and preset; the
// choice is saved to .tooltune/config.json and offered first next time; inputs are validated into the Problems
// panel (file:line:col) before anything starts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/types';
import { nanoModelDir } from '../train/nanoModel';
import { isHubId, looksLikeDataset, looksLikeModelFolder, looksLikeTools, parseSplitPercent } from './candidates';
import type { Ctx } from './ctx';
import { publish } from './problems';
import { abs, rel } from './trainArgs';
import { readProjectConfig, writeProjectChoices, type ProjectChoices } from './projectConfig';

const EXCLUDE = '{**/node_modules/**,**/.tooltune/**,**/.git/**,**/.vscode-test/**,**/dist/**}';
const PRESETS: { id: string; detail: string }[] = [
  { id: 'nano', detail: 'from ToolTune Nano on a CPU: zero-shot eval, GRPO only from a learnable start, no SFT (minutes)' },
  { id: 'demo', detail: 'the built-in tiny model on a CPU: short SFT warm start, then GRPO (minutes)' },
  { id: 'default', detail: 'TRL GRPO defaults sized for a small model' },
  { id: 'slm-paper', detail: 'arXiv 2509.04518: 8 generations, lr 5e-6 cosine restarts, LoRA r 64, strict JSON reward' },
  { id: 'toolexpander', detail: 'arXiv 2510.07737: hard rows get few-shot demonstrations; for weak small models' },
];

type Item<T> = vscode.QuickPickItem & { value?: T; browse?: boolean };


async function pick<T>(title: string, step: number, items: Item<T>[], placeHolder: string): Promise<Item<T> | undefined> {
  return vscode.window.showQuickPick(items, { title: `ToolTune: Train (${step}/5) — ${title}`, placeHolder, ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true });
}

async function browse(root: string, label: string, filters: Record<string, string[]> | undefined, folders = false): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.file(root), canSelectMany: false, openLabel: label, canSelectFiles: !folders, canSelectFolders: folders, ...(filters ? { filters } : {}) });
  return r?.[0]?.fsPath;
}

/** Saved value first (marked "last used"), then the rest. */
function withSaved<T>(items: Item<T>[], saved: T | undefined): Item<T>[] {
  const i = items.findIndex((it) => it.value !== undefined && it.value === saved);
  if (i < 0) return items;
  const it = { ...items[i]!, description: `${items[i]!.description ?? ''} (last used)`.trim() };
  return [it, ...items.slice(0, i), ...items.slice(i + 1)];
}

async function findToolFiles(root: string): Promise<Item<string>[]> {
  const uris = await vscode.workspace.findFiles('**/*.json', EXCLUDE, 300);
  const items: Item<string>[] = [];
  for (const u of uris) {
    let text: string;
    try { text = readFileSync(u.fsPath, 'utf8'); } catch { continue; }
    if (text.length > 5_000_000) continue;
    const t = looksLikeTools(text);
    if (t.count > 0) items.push({ label: rel(root, u.fsPath), description: `${t.count} tool${t.count === 1 ? '' : 's'}`, value: rel(root, u.fsPath) });
  }
  return items.sort((a, b) => a.label.localeCompare(b.label));
}

async function findDatasets(root: string): Promise<Item<string>[]> {
  const uris = await vscode.workspace.findFiles('**/*.jsonl', EXCLUDE, 300);
  const items: Item<string>[] = [];
  for (const u of uris) {
    let head = '';
    try { head = readFileSync(u.fsPath, 'utf8').slice(0, 20_000); } catch { continue; }
    if (looksLikeDataset(head)) items.push({ label: rel(root, u.fsPath), value: rel(root, u.fsPath) });
  }
  return items.sort((a, b) => a.label.localeCompare(b.label));
}

async function findModelFolders(root: string): Promise<Item<string>[]> {
  const uris = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.git/**,**/.tooltune/runs/*/checkpoints/**}', 200);
  const items: Item<string>[] = [];
  for (const u of uris) {
    const dir = dirname(u.fsPath);
    let files: string[] = [];
    try { files = readdirSync(dir); } catch { continue; }
    if (looksLikeModelFolder(files)) items.push({ label: `$(folder) ${rel(root, dir)}`, description: 'local Hugging Face folder', value: rel(root, dir) });
  }
  return items;
}

/** ToolTune Nano, offered first: the pretrained start GRPO is meant to begin from. A missing models/nano/ is said in
 *  the item (the run would fail at once with the same reason). */
function nanoItem(): Item<string> {
  let description = 'pretrained tool caller, shipped with ToolTune; GRPO starts from it';
  try { nanoModelDir(); } catch { description = 'models/nano/ not found: rebuild it with `npm run nano:pretrain`'; }
  return { label: '$(star-full) ToolTune Nano (shipped)', description, value: 'nano' };
}

/** Ask for everything; undefined when the user cancels. */
export async function pickTrainingChoices(root: string): Promise<ProjectChoices | undefined> {
  const saved = readProjectConfig(root).choices;
  // 1. tools
  const tools = withSaved([...await findToolFiles(root), { label: '$(folder-opened) Browse…', browse: true }], saved.tools);
  const t = await pick('tools file', 1, tools, 'A JSON file with your tool schemas (found by content)');
  if (!t) return undefined;
  const toolsPath = t.browse ? await browse(root, 'Use as tools file', { JSON: ['json'] }) : t.value;
  if (!toolsPath) return undefined;
  // 2. dataset
  const datasets = await findDatasets(root);
  const d = await pick('training data', 2, withSaved([...datasets, { label: '$(folder-opened) Browse…', browse: true }], saved.data), 'A JSONL dataset (one row per line)');
  if (!d) return undefined;
  const dataPath = d.browse ? await browse(root, 'Use as training data', { JSONL: ['jsonl', 'json'] }) : d.value;
  if (!dataPath) return undefined;
  // 3. eval split
  const dataRel = rel(root, dataPath);
  const evalItems: Item<string>[] = [
    ...datasets.filter((x) => x.value !== dataRel).map((x) => ({ ...x, label: x.label, description: 'eval file' })),
    { label: 'Split off 10% of the training data', value: 'split:10' },
    { label: 'Split off N%…', value: 'split:ask' },
    { label: 'No eval split', value: 'none' },
  ];
  const savedEval = saved.eval_data ?? (saved.eval_split !== undefined ? `split:${saved.eval_split}` : undefined);
  const e = await pick('eval split', 3, withSaved(evalItems, savedEval), 'Held-out rows scored during training');
  if (!e) return undefined;
  let evalData: string | undefined; let evalSplit: number | undefined;
  if (e.value === 'split:ask') {
    const s = await vscode.window.showInputBox({ title: 'Percent of the training data held out for eval', value: '10', validateInput: (v) => (parseSplitPercent(v) ? undefined : 'a number between 0 and 50') });
    if (s === undefined) return undefined;
    evalSplit = parseSplitPercent(s);
  } else if (e.value?.startsWith('split:')) evalSplit = Number(e.value.slice(6));
  else if (e.value && e.value !== 'none') evalData = e.value;
  // 4. base model
  const modelItems: Item<string>[] = [
    nanoItem(),
    { label: '$(beaker) Built-in demo model', description: 'tiny, random weights: SFT from scratch, then GRPO', value: 'demo' },
    ...await findModelFolders(root),
    { label: '$(cloud-download) Hugging Face model id…', description: 'e.g. Qwen/Qwen2.5-0.5B-Instruct', value: 'hub:ask' },
    { label: '$(folder-opened) Browse for a model folder…', browse: true },
  ];
  if (saved.model && !modelItems.some((m) => m.value === saved.model)) modelItems.splice(1, 0, { label: saved.model, value: saved.model });
  const m = await pick('base model', 4, withSaved(modelItems, saved.model), 'The model to fine-tune');
  if (!m) return undefined;
  let model = m.value;
  if (m.browse) model = await browse(root, 'Use this model folder', undefined, true);
  else if (model === 'hub:ask') {
    model = await vscode.window.showInputBox({ title: 'Hugging Face model id', placeHolder: 'Qwen/Qwen2.5-0.5B-Instruct', ignoreFocusOut: true,
      validateInput: (v) => (isHubId(v) ? undefined : 'write it as org/name, e.g. Qwen/Qwen2.5-0.5B-Instruct') });
  }
  if (!model) return undefined;
  // 5. preset
  const presets = PRESETS.map((p) => ({ label: p.id, detail: p.detail, value: p.id }));
  const p = await pick('preset', 5, withSaved(presets, saved.preset ?? (model === 'demo' || model === 'nano' ? model : undefined)), 'Training recipe (edit .tooltune/config.json for every setting)');
  if (!p?.value) return undefined;
  const choices: ProjectChoices = { tools: rel(root, toolsPath), data: dataRel, eval_data: evalData, eval_split: evalSplit, model: isAbsolute(model) ? rel(root, model) : model, preset: p.value };
  writeProjectChoices(root, choices);
  return choices;
}

/** Validate the inputs in-process with core's loaders (the same checks `tooltune validate` runs): problems go to
 *  the Problems panel at file:line:col; returns false (after one message) when any is an error. */
export async function validateInputs(ctx: Ctx, root: string, c: ProjectChoices): Promise<boolean> {
  const files = [c.tools, c.data, c.eval_data].filter((f): f is string => !!f).map((f) => abs(root, f));
  const { loadTools, loadDataset } = await import('../core/index');
  const t = await loadTools(abs(root, c.tools!));
  const diagnostics: Diagnostic[] = [...t.diagnostics];
  if (!t.diagnostics.some((d) => d.severity === 'error')) {
    for (const f of files.slice(1)) diagnostics.push(...(await loadDataset(f, { tools: t.tools, collect: false })).diagnostics);
  }
  const errors = publish(ctx.diagnostics, diagnostics, files);
  if (!errors) return true;
  const first = diagnostics.find((d) => d.severity === 'error')!;
  const choice = await vscode.window.showErrorMessage(
    `ToolTune: ${errors} problem${errors === 1 ? '' : 's'} in the training inputs, first at ${rel(root, first.file)}:${first.line}:${first.column}: ${first.message}. Fix them and run Train again.`,
    'Show Problems');
  if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  return false;
}

