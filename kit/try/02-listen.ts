// make try-2: your listen() on PORT (default 12345): the listening line, or your message when
// the port is taken (start it twice to see). Connect with nc; Ctrl-C stops it through stopListening().
import { createServer } from 'node:net';
import type * as Stage2 from '../../stages/02-listen/listen.ts';
import { howToConnect, load, tryPort } from './common.ts';

const m = await load<typeof Stage2>('02-listen', 'listen.ts');
const server = createServer((client) => {
  process.stdout.write(`  a client connected from ${client.remoteAddress}:${client.remotePort} (stage 3 greets it; here it is closed)\n`);
  client.on('error', () => {});
  client.end();
});
try {
  const bound = await m.listen(server, { host: process.env.HOST || '127.0.0.1', port: tryPort() });
  process.stdout.write(`${m.listeningLine(bound)}\n${howToConnect(bound.port)}\n`);
} catch (err) {
  process.stdout.write(`listen() rejected: ${(err as Error).message}\n`);
  process.exit(1);
}
process.once('SIGINT', () => {
  m.stopListening(server).then(
    () => process.stdout.write('\nstopListening() resolved: the port is free again.\n'),
    (err: Error) => process.stdout.write(`\nstopListening() rejected: ${err.message}\n`),
  ).finally(() => process.exit(0));
});
