// Tools files read for inference (suggestion prompts, schema checks, test runs), re-read when the file changes on
// disk (mtime), so editing tools.json takes effect on the next suggestion.
import { statSync } from 'node:fs';
import { loadTools } from '../../core/tools';
import type { Diagnostic, ToolDef } from '../../core/types';

export interface LoadedTools { tools: ToolDef[]; diagnostics: Diagnostic[]; version: number }

export class ToolsCache {
  private readonly entries = new Map<string, LoadedTools>();

  constructor(private readonly load: typeof loadTools = loadTools) {}

  /** The tools at `path`, or undefined when the file does not exist. */
  async get(path: string): Promise<LoadedTools | undefined> {
    let mtime: number;
    try { mtime = statSync(path).mtimeMs; } catch { this.entries.delete(path); return undefined; }
    const hit = this.entries.get(path);
    if (hit && hit.version === mtime) return hit;
    const r = await this.load(path);
    const entry = { tools: r.tools, diagnostics: r.diagnostics, version: mtime };
    this.entries.set(path, entry);
    return entry;
  }
}
