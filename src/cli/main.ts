// `tooltune <command> [args]`: a thin dispatcher. Each command lives in src/cli/commands/<name>.ts and exports
// `default async function run(argv: string[]): Promise<number>` (the exit code). Commands are loaded lazily so that
// `tooltune validate` never pays for torch-side or onnxruntime start-up.
//   tooltune bench <name>  →  src/cli/commands/bench-<name>.ts
import process from 'node:process';

type Command = { default: (argv: string[]) => Promise<number> };
const COMMANDS: Record<string, { about: string; load: () => Promise<Command> }> = {
  validate: { about: 'check a tools file and datasets; prints file:line:col diagnostics', load: () => import('./commands/validate') },
  eval: { about: 'score model outputs (predictions JSONL) or a model (greedy, pass@k) against a dataset', load: () => import('./commands/eval') },
  synth: { about: 'write a starter dataset for your tools (generated rows to review and extend)', load: () => import('./commands/synth') },
  train: { about: 'GRPO-train a model on a tools file and dataset', load: () => import('./commands/train') },
  demo: { about: 'the demo: GRPO from ToolTune Nano (or --from-scratch), base/start/after table', load: () => import('./commands/demo') },
  export: { about: 'export a trained model to ONNX for inline use', load: () => import('./commands/export') },
  test: { about: 'run the cases of a .tooltest file against a model', load: () => import('./commands/test') },
  pretrain: { about: 'build (or continue building) ToolTune Nano from generated tool domains', load: () => import('./commands/pretrain') },
  doctor: { about: 'find a Python with torch and report the device (preflight)', load: () => import('./commands/doctor') },
};
const BENCHES: Record<string, () => Promise<Command>> = {
  data: () => import('./commands/bench-data'),
  engine: () => import('./commands/bench-engine'),
  toolexpander: () => import('./commands/bench-toolexpander'),
  inline: () => import('./commands/bench-inline'),
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.about}`);
  return ['usage: tooltune <command> [options]', '', ...rows, `  bench      ${Object.keys(BENCHES).join(' | ')}`, '',
    'Run `tooltune <command> --help` for its options.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { console.log(usage()); return name ? 0 : 2; }
  if (name === 'bench') {
    const load = BENCHES[rest[0] ?? ''];
    if (!load) { console.error(`tooltune bench: unknown benchmark "${rest[0] ?? ''}"; one of ${Object.keys(BENCHES).join(', ')}`); return 2; }
    return (await load()).default(rest.slice(1));
  }
  const cmd = COMMANDS[name];
  if (!cmd) { console.error(`tooltune: unknown command "${name}"\n\n${usage()}`); return 2; }
  return (await cmd.load()).default(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`tooltune: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
