// The yardstick for `make bench`: the least a Node TCP server can do per line, echo the bytes back.
// Run as `node --import tsx kit/bench/echo-server.ts`; the first stdout line names its port.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

const server = createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => socket.write(chunk));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { address, port } = server.address() as AddressInfo;
console.log(`echo server listening on ${address}:${port}`);
