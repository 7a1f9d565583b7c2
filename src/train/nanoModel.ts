// ToolTune Nano, the small base model shipped in `models/nano/` (Hugging Face layout: config.json,
// model.safetensors, tokenizer.json, tokenizer_config.json with its chat template). `--model nano` names it wherever
// a model is chosen (train, demo, eval, export, test, the Train command). Found next to the current folder or next
// to the installed CLI, as sample-workspace/ is (src/cli/commands/demo.ts); `TOOLTUNE_NANO_DIR` points elsewhere
// (a rebuilt or larger Nano, tests).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NANO_MODEL = 'nano';
export const NANO_DIR_ENV = 'TOOLTUNE_NANO_DIR';
/** The files without which the folder is not a usable model (weights, and the tokenizer with its template). */
export const NANO_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];

/** Where models/nano/ is looked for: the current folder, then next to the bundle (dist/..) or the sources (src/..). */
export function defaultNanoBases(): string[] {
  return [process.cwd(), resolve(__dirname, '..'), resolve(__dirname, '..', '..')];
}

function missing(dir: string): string[] { return NANO_FILES.filter((f) => !existsSync(join(dir, f))); }

/** The folder of the shipped Nano; throws naming where it looked and how to rebuild it. `bases` replaces the
 *  default search (tests); `TOOLTUNE_NANO_DIR`, when set, is the only place looked. */
export function nanoModelDir(bases?: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[NANO_DIR_ENV];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    const gone = missing(dir);
    if (gone.length) throw new Error(`${NANO_DIR_ENV}=${fromEnv}: ${dir} lacks ${gone.join(', ')}; point it at a ToolTune Nano folder, or unset it to use models/nano/`);
    return dir;
  }
  const looked: string[] = [];
  for (const base of bases ?? defaultNanoBases()) {
    const dir = join(base, 'models', 'nano');
    if (looked.includes(dir)) continue;
    looked.push(dir);
    if (!missing(dir).length) return dir;
  }
  throw new Error(`models/nano/ not found: looked in ${looked.join(', ')} (a folder with ${NANO_FILES.join(', ')}); ` +
    `run from the ToolTune folder, set ${NANO_DIR_ENV}, or rebuild it with \`npm run nano:pretrain\``);
}

/** A --model value as a folder path: "nano" becomes the shipped model's folder, anything else is kept. */
export function modelArg(spec: string): string {
  return spec === NANO_MODEL ? nanoModelDir() : spec;
}
