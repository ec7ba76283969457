// Stage 2: bind and listen on the server side, connect on the client side, and turn the
// operating system's error codes into sentences. See guide/02-listen.md.
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Endpoint } from '../01-socket/endpoint.ts';

/** The course's Task 1 serves one client at a time, so one waiting connection is enough. */
export const BACKLOG = 1;

/** The server's first stdout line; graders read the port from it. */
export function listeningLine(endpoint: Endpoint): string {
  return `ClassChat server listening on ${endpoint.host}:${endpoint.port}`;
}

/**
 * Binds `server` to `endpoint` and starts listening. Resolves with the address really bound
 * (port 0 becomes the port the system chose); rejects with a one-line explanation.
 */
export async function listen(server: Server, endpoint: Endpoint, backlog = BACKLOG): Promise<Endpoint> {
  // listen() reports failure as an 'error' event, not an exception: wait for either outcome.
  const listening = once(server, 'listening');
  server.listen({ host: endpoint.host, port: endpoint.port, backlog });
  try {
    await listening;
  } catch (err) {
    throw new Error(explainListenError(err as NodeJS.ErrnoException, endpoint));
  }
  const address = server.address() as AddressInfo;
  return { host: address.address, port: address.port };
}

function explainListenError(err: NodeJS.ErrnoException, { host, port }: Endpoint): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use: stop the other server or choose another port with --port.`;
    case 'EACCES':
      return `Not allowed to listen on port ${port}: ports below 1024 need administrator rights; use a higher port.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${host}: that address does not belong to this machine.`;
    default:
      return `Cannot listen on ${host}:${port}: ${err.message}`;
  }
}

/** Stops accepting connections; resolves once the listening socket is closed. */
export async function stopListening(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  await closed;
}

/** Connects the client socket; rejects with a message that tells the user what to do. */
export async function connect(socket: Socket, endpoint: Endpoint): Promise<void> {
  const connected = once(socket, 'connect');
  socket.connect({ host: endpoint.host, port: endpoint.port });
  try {
    await connected;
  } catch (err) {
    throw new Error(explainConnectError(err as NodeJS.ErrnoException, endpoint));
  }
}

function explainConnectError(err: NodeJS.ErrnoException, { host, port }: Endpoint): string {
  if (err.code === 'ECONNREFUSED') {
    return `Cannot connect to the ClassChat server at ${host}:${port}: is the server running? Start it with "make server".`;
  }
  return `Cannot connect to the ClassChat server at ${host}:${port}: ${err.code ?? err.message}`;
}
