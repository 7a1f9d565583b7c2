// `tooltune bench data [--rows 100000] [--runs 5] [--json]` (npm run bench:data): how fast the dataset loader
// streams and validates. Generates a dataset with the sample workspace's generator (home domain, seeded) into a
// temp dir, then loads and validates it --runs times (rows not kept in memory, as a trainer streaming a big file
// would) and prints rows/s of each run, their median, and the process's peak RSS. Target: ≥ 50k rows/s on 2 cores.
// Both wall-clock and CPU-time rates are printed, with the load average: on a shared machine other processes
// slow the wall clock, and the CPU-time rate is what the loader itself costs. The exit code checks the CPU-time
// median against the target, so a busy CI box does not fail the bench for someone else's work.
import { mkdtempSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, loadTools } from '../../core/index';
import { Rng, buildRows } from '../../../scripts/gen-workspace/domain';
import { homeDomain } from '../../../scripts/gen-workspace/home-domain';

const USAGE = 'usage: tooltune bench data [--rows N] [--runs K] [--json]';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export default async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (e) {
    console.error(`tooltune bench data: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (args.help) { console.log(USAGE); return 0; }
  const nRows = Number(args.rows), runs = Number(args.runs);
  if (!Number.isInteger(nRows) || nRows < 1 || !Number.isInteger(runs) || runs < 1) { console.error(`tooltune bench data: --rows and --runs must be positive integers\n${USAGE}`); return 2; }

  const dir = mkdtempSync(join(tmpdir(), 'tooltune-bench-data-'));
  try {
    // ---- generate (requests may repeat at this size; ids stay unique)
    const toolsPath = join(dir, 'tools.json');
    const dataPath = join(dir, 'data.jsonl');
    writeFileSync(toolsPath, JSON.stringify(homeDomain.tools));
    const rng = new Rng(12345);
    const ws = createWriteStream(dataPath);
    const chunk = 10000;
    for (let done = 0; done < nRows; done += chunk) {
      const rows = buildRows(homeDomain, rng, { rows: Math.min(chunk, nRows - done), parallel: 0.22, noCall: 0.13 }, `b${done}`, { has: () => false, add: () => undefined });
      if (!ws.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n')) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'finish');
    const bytes = statSync(dataPath).size;

    // ---- measure
    const tools = await loadTools(toolsPath);
    if (tools.diagnostics.some((d) => d.severity === 'error')) { console.error('bench data: the generated tools file does not validate'); return 1; }
    const perRun: number[] = [];
    const perRunCpu: number[] = [];
    let peakRss = process.memoryUsage().rss;
    const load0 = loadavg()[0]!;
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let n = 0;
      const res = await loadDataset(dataPath, { tools: tools.tools, collect: false, onRow: () => { n++; if ((n & 8191) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss); } });
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      perRunCpu.push(nRows / ((c.user + c.system) / 1e6));
      if (res.kept !== nRows || res.diagnostics.length) { console.error(`bench data: expected ${nRows} clean rows, got ${res.kept} kept and ${res.diagnostics.length} problems`); return 1; }
      perRun.push(nRows / secs);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const maxRssKb = process.resourceUsage().maxRSS;
    const result = {
      rows: nRows, bytes, runs, rows_per_s: perRun.map(Math.round), median_rows_per_s: Math.round(median(perRun)),
      cpu_rows_per_s: perRunCpu.map(Math.round), median_cpu_rows_per_s: Math.round(median(perRunCpu)),
      peak_rss_mb: Math.round(Math.max(peakRss, maxRssKb * 1024) / 1048576), target_rows_per_s: 50000,
      load_average: [Number(load0.toFixed(2)), Number(loadavg()[0]!.toFixed(2))], cpus: cpus().length,
    };
    if (args.json) console.log(JSON.stringify(result));
    else {
      console.log(`dataset: ${nRows} rows, ${(bytes / 1048576).toFixed(1)} MB (home domain, seed 12345)`);
      const fmt = (xs: number[]) => xs.map((x) => x.toLocaleString('en-US')).join(', ');
      console.log(`load + validate, ${runs} runs (wall clock): ${fmt(result.rows_per_s)} rows/s`);
      console.log(`                       (process CPU time): ${fmt(result.cpu_rows_per_s)} rows/s`);
      console.log(`median ${result.median_rows_per_s.toLocaleString('en-US')} rows/s wall, ${result.median_cpu_rows_per_s.toLocaleString('en-US')} rows/s CPU (target ≥ 50,000); peak RSS ${result.peak_rss_mb} MB`);
      console.log(`machine: ${result.cpus} CPUs, 1-min load average ${result.load_average.join(' → ')}`);
    }
    return result.median_cpu_rows_per_s >= 50000 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
