// `tooltune doctor [--python P] [--json]`: find a Python that can run the engine and report the device, or say
// exactly how to get one. Exit 0 when a usable interpreter was found, 1 otherwise.
import { defaultCandidates, formatPreflight, preflight } from '../../engine/python';

const USAGE = 'usage: tooltune doctor [--python PATH] [--json]';

export default async function run(argv: string[]): Promise<number> {
  let json = false;
  let explicit: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--python') explicit = argv[++i];
    else if (a === '--help' || a === '-h') { console.log(USAGE); return 0; }
    else { console.error(`tooltune doctor: unknown option "${a}"\n${USAGE}`); return 2; }
  }
  const result = await preflight(defaultCandidates(explicit));
  console.log(json ? JSON.stringify(result) : formatPreflight(result));
  return result.ok ? 0 : 1;
}
