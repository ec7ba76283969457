// The yardstick for the many-clients part of `make bench`: the least a Node server can do to pass
// chat messages between clients. It greets each connection with a notice, remembers the name a
// client signs in with ({"status":"0","sender":…}), and forwards each chat line
// ({"status":"1",…,"receiver":…}) unchanged to the receiver's connection. No checks, no errors,
// no limits: the figures of a real chat server are measured against this.
// Run as `node --import tsx kit/bench/fanout-server.ts`; the first stdout line names its port.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';

const GREETING = `${JSON.stringify({ status: '0', sender: 'server', text: 'Connection established. Welcome to ClassChat Server!' })}\n`;
const byName = new Map<string, Socket>();

const server = createServer({ noDelay: true }, (socket) => {
  let name: string | undefined;
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    if (name !== undefined && byName.get(name) === socket) byName.delete(name);
  });
  socket.on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let message: { status?: unknown; sender?: unknown; receiver?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue;
      }
      if (message.status === '0' && typeof message.sender === 'string') {
        name = message.sender;
        byName.set(name, socket);
      } else if (message.status === '1' && typeof message.receiver === 'string') {
        byName.get(message.receiver)?.write(`${line}\n`);
      }
    }
  });
  socket.write(GREETING);
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 511 });
await once(server, 'listening');
const { address, port } = server.address() as AddressInfo;
console.log(`fan-out server listening on ${address}:${port}`);
