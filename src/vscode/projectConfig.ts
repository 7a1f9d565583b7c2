// `.tooltune/config.json`: the project's training choices, JSON with comments, schema-backed (the trainer owns the
// schema and the training keys; see src/train/config.ts). The Train command saves what was picked here and offers
// it again next time. Edits go through jsonc-parser's `modify`, so the user's comments and formatting survive.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { INPUT_KEYS } from '../train/configFile';

/** Keys the extension writes. Paths are relative to the workspace folder (so the file can be committed). */
export interface ProjectChoices {
  tools?: string;
  data?: string;
  eval_data?: string;
  /** Percent of `data` held out for eval when there is no eval file. */
  eval_split?: number;
  model?: string;
  preset?: string;
}
export const CHOICE_KEYS = ['tools', 'data', 'eval_data', 'eval_split', 'model', 'preset'] as const;

export function configPath(root: string): string { return join(root, '.tooltune', 'config.json'); }

export interface ReadResult { text: string; value: Record<string, unknown>; choices: ProjectChoices; error?: string }

export function readProjectConfigText(text: string): ReadResult {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (errors.length || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { text, value: {}, choices: {}, error: errors.length ? `not valid JSON at offset ${errors[0]!.offset}` : 'the file must hold one JSON object' };
  }
  const v = value as Record<string, unknown>;
  const choices: ProjectChoices = {};
  for (const k of ['tools', 'data', 'eval_data', 'model', 'preset'] as const) if (typeof v[k] === 'string') choices[k] = v[k] as string;
  if (typeof v.eval_split === 'number') choices.eval_split = v.eval_split;
  return { text, value: v, choices };
}

export function readProjectConfig(root: string): ReadResult {
  const file = configPath(root);
  if (!existsSync(file)) return { text: '', value: {}, choices: {} };
  return readProjectConfigText(readFileSync(file, 'utf8'));
}

/** New text with `choices` set (undefined removes a key), keeping everything else byte for byte. */
export function applyChoices(text: string, choices: ProjectChoices): string {
  let out = text.trim() ? text : '{\n}\n';
  const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
  for (const k of CHOICE_KEYS) {
    if (!(k in choices)) continue;
    out = applyEdits(out, modify(out, [k], choices[k], fmt));
  }
  return out;
}

export function writeProjectChoices(root: string, choices: ProjectChoices): string {
  const file = configPath(root);
  mkdirSync(dirname(file), { recursive: true });
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, applyChoices(before, choices));
  return file;
}

/** The config without the input-file keys, for the trainer's `--config`: the extension gives the inputs as flags,
 *  and with "split off N%" those name the split files, not the file the config names. */
export function trainerConfigText(text: string): string {
  let out = text;
  // the input-file keys (configFile.ts): the extension passes them to the trainer as flags, after applying the split
  for (const k of INPUT_KEYS) out = applyEdits(out, modify(out, [k], undefined, {}));
  return out;
}
