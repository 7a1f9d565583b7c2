// `.tooltune/config.json` (JSON with comments) → TrainConfig, every error located at file:line:col with the field
// named. jsonc-parser gives the syntax tree with offsets; validation itself is config.ts's.
import { readFileSync } from 'node:fs';
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

/** The config's known keys (from the defaults, plus `preset`): anything else is a typo worth an error. */
function checkKeys(file: string, text: string, root: Node): void {
  const known: Record<string, unknown> = { ...DEFAULT_CONFIG, preset: 'default' };
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
  const value = JSON.parse(JSON.stringify(nodeValue(root))) as ConfigInput;
  try {
    return resolveConfig(value, overrides);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Point at the field when the file set it; a bad combination may involve a field the file left out.
    const node = findNodeAtLocation(root, e.field.split('.'));
    throw new ConfigError(e.field, e.detail, e.fix, node ? locate(file, text, node) : file);
  }
}

function nodeValue(n: Node): unknown {
  if (n.type === 'object') return Object.fromEntries((n.children ?? []).map((p) => [p.children![0].value, p.children![1] ? nodeValue(p.children![1]) : null]));
  if (n.type === 'array') return (n.children ?? []).map(nodeValue);
  return n.value;
}

/** Read and resolve a config file. */
export function loadConfigFile(file: string, overrides: ConfigInput = {}): TrainConfig {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new ConfigError('(file)', `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'Check the path given to --config.', file);
  }
  return parseConfigText(text, file, overrides);
}
