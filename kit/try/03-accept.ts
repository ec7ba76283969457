// make try-3: your acceptClients() on a kit-made server. Connect with nc from two terminals: the
// first gets your ACK, the second your busy line. What a served client types is shown here.
import type * as Stage3 from '../../stages/03-accept/accept.ts';
import { howToConnect, kitServer, load } from './common.ts';

const m = await load<typeof Stage3>('03-accept', 'accept.ts');
const { server, port } = await kitServer();
// The session stage 4 will write; here it only shows what the client sends.
m.acceptClients(server, (client) => client.on('data', (chunk: Buffer) => process.stdout.write(`  ${m.describePeer(client) || '(describePeer gave "")'} sent ${JSON.stringify(chunk.toString('utf8'))}\n`)), (line) => process.stdout.write(`  log: ${line}\n`));
process.stdout.write(`Your accept server is on 127.0.0.1:${port}.\n${howToConnect(port)}\n`);
process.once('SIGINT', () => process.exit(0));
