// make try-5: a server whose sessions are your serveSession() (the kit supplies the replies) and
// whose Ctrl-C runs your trackClients() and shutdown(). Connect with nc, type lines, then exit;
// or press Ctrl-C here while a client is connected.
import type * as Session from '../../stages/05-exit/session.ts';
import type * as Shutdown from '../../stages/05-exit/shutdown.ts';
import { attempt, howToConnect, kitServer, load } from './common.ts';

const session = await load<typeof Session>('05-exit', 'session.ts');
const stop = await load<typeof Shutdown>('05-exit', 'shutdown.ts');
const { server, port } = await kitServer();
const clients = attempt('trackClients', () => stop.trackClients(server)) ?? new Set();
const log = (line: string) => process.stdout.write(`  log: ${line}\n`);
server.on('connection', (client) => {
  void session.serveSession(client, { reply: (line) => `Server received: ${line}`, log }).then(() => log('serveSession() resolved'));
});
process.stdout.write(`A server with your session on 127.0.0.1:${port}.\n${howToConnect(port)}\n`);
process.once('SIGINT', () => {
  process.stdout.write('\nCalling your shutdown() …\n');
  stop.shutdown(server, clients).then(
    () => process.stdout.write('shutdown() resolved.\n'),
    (err: Error) => process.stdout.write(`shutdown() rejected: ${err.message}\n`),
  ).finally(() => process.exit(0));
});
