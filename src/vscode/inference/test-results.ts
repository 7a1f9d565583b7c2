// How a `.tooltest` case outcome reads in the Test Explorer: the failure text (reasons, the model's raw output,
// schema problems) and which test items a run covers. Pure (no vscode import); test-controller.ts wraps it.
import type { CaseOutcome } from '../../infer/tooltest-runner';

/** The message shown for a failed, skipped or errored case; the expected/actual diff is attached separately. */
export function outcomeMessage(o: CaseOutcome): string {
  const lines: string[] = [];
  if (o.status === 'failed') lines.push(`${o.case.name}: the model's calls do not match`);
  for (const r of o.reasons) lines.push(`• ${r}`);
  if (o.invalid.length) {
    lines.push('Schema problems in the model\'s calls:');
    for (const e of o.invalid) lines.push(`• ${e}`);
  }
  if (o.status !== 'errored') lines.push(`Model output: ${JSON.stringify(o.output)}`);
  return lines.join('\n');
}

/** Output-pane text for one case (every status), with a trailing CRLF as TestRun.appendOutput expects. */
export function outcomeOutput(o: CaseOutcome, profile: string): string {
  const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', errored: 'ERROR' }[o.status];
  const body = o.status === 'passed' ? `Model output: ${JSON.stringify(o.output)}` : outcomeMessage(o);
  return `[${profile}] ${mark} ${o.case.name} (${o.durationMs.toFixed(0)} ms)\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

/** Test item ids: one per file (its URI) and one per case (`<uri>#<index>`). */
export function caseId(fileId: string, index: number): string { return `${fileId}#${index}`; }
export function parseCaseId(id: string): { fileId: string; index: number } | undefined {
  const m = /^(.*)#(\d+)$/.exec(id);
  return m ? { fileId: m[1]!, index: Number(m[2]) } : undefined;
}

/**
 * Which cases of which files a run covers: requested items (files = all their cases, cases = themselves) minus
 * excluded ones; with no request, every known file.
 */
export function selectCases(allFiles: ReadonlyMap<string, number>, include: readonly string[] | undefined,
  exclude: readonly string[] = []): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const add = (fileId: string, index?: number) => {
    const n = allFiles.get(fileId);
    if (n === undefined) return;
    const s = out.get(fileId) ?? new Set<number>();
    if (index === undefined) for (let i = 0; i < n; i++) s.add(i);
    else if (index < n) s.add(index);
    out.set(fileId, s);
  };
  for (const id of include ?? [...allFiles.keys()]) {
    const c = parseCaseId(id);
    if (c && allFiles.has(c.fileId)) add(c.fileId, c.index); else add(id);
  }
  for (const id of exclude) {
    const c = parseCaseId(id);
    if (c && allFiles.has(c.fileId)) out.get(c.fileId)?.delete(c.index); else out.delete(id);
  }
  for (const [k, v] of out) if (!v.size) out.delete(k);
  return out;
}
