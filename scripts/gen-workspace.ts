// Generates the sample workspace and the second test domain, deterministically (fixed seeds):
//   node --import tsx scripts/gen-workspace.ts
// writes sample-workspace/{tools.json,train.jsonl,eval.jsonl} (home assistant, 2,500 + 250 rows) and
// test/fixtures/domain2/{tools.json,train.jsonl,eval.jsonl} (shop support, 1,500 + 200 rows), then loads them back
// through the core loader and checks counts, the no-call share and that no eval request appears in train.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, loadTools, rowCategory, requestText, formatDiagnostic } from '../src/core/index';
import { type Domain, type Mix, Rng, buildRows } from './gen-workspace/domain';
import { homeDomain } from './gen-workspace/home-domain';
import { shopDomain } from './gen-workspace/shop-domain';

const root = join(__dirname, '..');

export interface Target { domain: Domain; dir: string; seed: number; train: number; eval: number }
export const TARGETS: Target[] = [
  { domain: homeDomain, dir: 'sample-workspace', seed: 20261122, train: 2500, eval: 250 },
  { domain: shopDomain, dir: 'test/fixtures/domain2', seed: 7, train: 1500, eval: 200 },
];
// ~22% two-call rows, ~13% no-call rows (the brief asks for ≥ 10%), the rest single calls.
const MIX = { parallel: 0.22, noCall: 0.13 };

/** The rows of one target, deterministically from its seed (tests compare this with the committed files). */
export function buildSplits(t: Target): { tools: string; train: string; eval: string } {
  const r = new Rng(t.seed);
  const taken = new Set<string>();
  // Eval first, then train from the same "taken" set: no request text can appear in both.
  const evalRows = buildRows(t.domain, r, { rows: t.eval, ...MIX } satisfies Mix, `${t.domain.name}-eval`, taken);
  const trainRows = buildRows(t.domain, r, { rows: t.train, ...MIX }, `${t.domain.name}-train`, taken);
  return {
    tools: JSON.stringify(t.domain.tools, null, 2) + '\n',
    train: trainRows.map((x) => JSON.stringify(x)).join('\n') + '\n',
    eval: evalRows.map((x) => JSON.stringify(x)).join('\n') + '\n',
  };
}

async function generate(t: Target): Promise<void> {
  const splits = buildSplits(t);
  const dir = join(root, t.dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tools.json'), splits.tools);
  writeFileSync(join(dir, 'train.jsonl'), splits.train);
  writeFileSync(join(dir, 'eval.jsonl'), splits.eval);

  const tools = await loadTools(join(dir, 'tools.json'));
  const problems = [...tools.diagnostics];
  const train = await loadDataset(join(dir, 'train.jsonl'), { tools: tools.tools });
  const ev = await loadDataset(join(dir, 'eval.jsonl'), { tools: tools.tools });
  problems.push(...train.diagnostics, ...ev.diagnostics);
  if (problems.length) throw new Error(`generated data does not validate:\n${problems.slice(0, 10).map(formatDiagnostic).join('\n')}`);
  if (train.kept !== t.train || ev.kept !== t.eval) throw new Error(`${t.dir}: wanted ${t.train}/${t.eval} rows, got ${train.kept}/${ev.kept} (request pool too small)`);
  const trainReq = new Set(train.rows.map(requestText));
  const overlap = ev.rows.filter((x) => trainReq.has(requestText(x))).length;
  if (overlap) throw new Error(`${t.dir}: ${overlap} eval requests also appear in train`);
  const count = (rows: typeof train.rows) => {
    const c = { single: 0, parallel: 0, no_call: 0 };
    for (const x of rows) c[rowCategory(x)]++;
    return c;
  };
  console.log(`${t.dir}: ${t.domain.tools.length} tools; train ${train.kept} ${JSON.stringify(count(train.rows))}; eval ${ev.kept} ${JSON.stringify(count(ev.rows))}`);
}

if (require.main === module) (async () => { for (const t of TARGETS) await generate(t); })().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
