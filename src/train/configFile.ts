// `.tooltune/config.json` (JSON with comments) → TrainConfig, every error located at file:line:col with the field
// named. jsonc-parser gives the syntax tree with offsets; validation itself is config.ts's.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { ConfigError, DEFAULT_CONFIG, resolveConfig, type ConfigInput, type TrainConfig } from './config';

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1; let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i; }
  return { line, column: offset - last };
}

function locate(file: string, text: string, node: Node | undefined): string {
  if (!node) return file;
  const { line, column } = lineCol(text, node.offset);
  return `${file}:${line}:${column}`;
}

/** The project's input files, saved in the same file by the extension's Train command (paths relative to the
 *  workspace folder, so the file can be committed). They are not training settings: `tooltune train` takes them as
 *  defaults for --tools / --data / --eval-data, and `eval_split` (percent of `data` held out when there is no eval
 *  file) is applied by the extension. */
export const INPUT_KEYS = ['tools', 'data', 'eval_data', 'eval_split'] as const;
/** The input keys that name files (relative to `configRoot`). */
const PATH_KEYS = ['tools', 'data', 'eval_data'] as const;
export interface ConfigFileInputs { tools?: string; data?: string; eval_data?: string; eval_split?: number }

/** The config's known keys (from the defaults, plus `preset` and the input keys): anything else is a typo. */
function checkKeys(file: string, text: string, root: Node): void {
  const known: Record<string, unknown> = { ...DEFAULT_CONFIG, preset: 'default', ...Object.fromEntries(INPUT_KEYS.map((k) => [k, ''])) };
  const nested = new Set(['sft', 'eval', 'toolexpander', 'lora']);
  const loraKeys = { r: 0, alpha: 0, dropout: 0, target_modules: [] };
  for (const prop of root.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    const key = String(keyNode?.value);
    if (!(key in known)) {
      const near = Object.keys(known).find((k) => k.replace(/_/g, '') === key.replace(/[_-]/g, '').toLowerCase());
      throw new ConfigError(key, 'is not a ToolTune setting.', near ? `Did you mean "${near}"?` : `Known settings: ${Object.keys(known).join(', ')}.`, locate(file, text, keyNode));
    }
    if (nested.has(key) && valueNode?.type === 'object') {
      const sub = key === 'lora' ? loraKeys : (known[key] as Record<string, unknown>);
      for (const p of valueNode.children ?? []) {
        const k = String(p.children?.[0]?.value);
        if (!(k in sub)) throw new ConfigError(`${key}.${k}`, 'is not a ToolTune setting.', `Known: ${Object.keys(sub).join(', ')}.`, locate(file, text, p.children?.[0]));
      }
    }
  }
}

/** Parse config text; `file` is only used in messages. Throws ConfigError with file:line:col. */
export function parseConfigText(text: string, file: string, overrides: ConfigInput = {}): TrainConfig {
  return parseConfigFile(text, file, overrides).config;
}

/** The training settings and the input-file keys (as written) of one config text, parsed once. */
function parseConfigFile(text: string, file: string, overrides: ConfigInput): { config: TrainConfig; inputs: ConfigFileInputs } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const e = errors[0];
    const { line, column } = lineCol(text, e.offset);
    throw new ConfigError('(syntax)', `${printParseErrorCode(e.error)}.`, 'Fix the JSON syntax at this position.', `${file}:${line}:${column}`);
  }
  if (!root || root.type !== 'object') {
    throw new ConfigError('(root)', 'the file must hold one JSON object.', 'For example {"preset": "toolexpander", "max_steps": 200}.', `${file}:1:1`);
  }
  checkKeys(file, text, root);
  const value = JSON.parse(JSON.stringify(nodeValue(root))) as ConfigInput & ConfigFileInputs;
  checkInputs(file, text, root, value);
  const inputs: ConfigFileInputs = {};
  for (const k of INPUT_KEYS) {
    if (value[k] !== undefined) Object.assign(inputs, { [k]: value[k] });
    delete value[k];
  }
  try {
    return { config: resolveConfig(value, overrides), inputs };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Point at the field when the file set it; a bad combination may involve a field the file left out.
    const node = findNodeAtLocation(root, e.field.split('.'));
    throw new ConfigError(e.field, e.detail, e.fix, node ? locate(file, text, node) : file);
  }
}

function checkInputs(file: string, text: string, root: Node, v: ConfigFileInputs): void {
  const at = (k: string) => locate(file, text, findNodeAtLocation(root, [k]));
  for (const k of PATH_KEYS) {
    if (v[k] !== undefined && (typeof v[k] !== 'string' || !v[k])) {
      throw new ConfigError(k, `must be a file path (a non-empty string), got ${JSON.stringify(v[k])}.`, 'Give the path relative to the workspace folder, e.g. "data/train.jsonl".', at(k));
    }
  }
  const split = v.eval_split;
  if (split !== undefined && (typeof split !== 'number' || !(split > 0 && split < 100))) {
    throw new ConfigError('eval_split', `must be a percentage between 0 and 100, got ${JSON.stringify(split)}.`, 'For example 10 holds out a tenth of the dataset for evaluation.', at('eval_split'));
  }
}

/** The workspace folder a config file's paths are relative to: the parent of `.tooltune/`, else the file's folder. */
export function configRoot(file: string): string {
  const dir = dirname(resolve(file));
  return basename(dir) === '.tooltune' ? dirname(dir) : dir;
}

/** Read a config file once: its training settings, and the input files it names (`tools`, `data`, `eval_data`
 *  resolved against `configRoot`; `eval_split` as written). */
export function readConfigFile(file: string, overrides: ConfigInput = {}): { config: TrainConfig; inputs: ConfigFileInputs } {
  const { config, inputs } = parseConfigFile(readConfigText(file), file, overrides);
  const base = configRoot(file);
  for (const k of PATH_KEYS) {
    const v = inputs[k];
    if (v) inputs[k] = isAbsolute(v) ? v : resolve(base, v);
  }
  return { config, inputs };
}

function nodeValue(n: Node): unknown {
  if (n.type === 'object') return Object.fromEntries((n.children ?? []).map((p) => [p.children![0].value, p.children![1] ? nodeValue(p.children![1]) : null]));
  if (n.type === 'array') return (n.children ?? []).map(nodeValue);
  return n.value;
}

function readConfigText(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch (e) {
    throw new ConfigError('(file)', `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Check the path given to --config.', file);
  }
}
