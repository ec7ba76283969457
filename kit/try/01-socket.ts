// make try-1: type flags as on a command line; see the endpoint your resolveEndpoint() makes of
// them (with CLASSCHAT_HOST / CLASSCHAT_PORT from this shell), or the error it throws.
import type * as Stage1 from '../../stages/01-socket/endpoint.ts';
import { attempt, load, typed } from './common.ts';

const m = await load<typeof Stage1>('01-socket', 'endpoint.ts');
process.stdout.write('Type flags such as  --port 99999  or  --host localhost --port 8080  (empty line: none; Ctrl-D ends).\n');
const rl = typed('flags> ');
rl.on('line', (line) => {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const flags: Stage1.EndpointFlags = {};
  for (let i = 0; i < words.length; i += 2) {
    if (words[i] === '--host') flags.host = words[i + 1] ?? '';
    else if (words[i] === '--port') flags.port = words[i + 1] ?? '';
    else process.stdout.write(`  (ignored: ${words[i]})\n`);
  }
  const endpoint = attempt('resolveEndpoint', () => m.resolveEndpoint(flags, process.env));
  if (endpoint) process.stdout.write(`  → ${JSON.stringify(endpoint)}\n`);
  rl.prompt();
});
