// Stage 2: bind, listen, connect, and explain what went wrong. Read guide/02-listen.md,
// then run `make stage-2`.
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Endpoint } from '../01-socket/endpoint.ts';

/** Task 1 serves one client at a time, so one waiting connection is enough. */
export const BACKLOG = 1;

/** The server's first stdout line, e.g. "ClassChat server listening on 127.0.0.1:12345". */
export function listeningLine(endpoint: Endpoint): string {
  // TODO(stage 2): build the line exactly as guide/protocol.md words it. Guide § Announcing the port.
  return '';
}

/** Resolves with the address really bound (port 0 becomes the port the system chose). */
export async function listen(server: Server, endpoint: Endpoint, backlog = BACKLOG): Promise<Endpoint> {
  // TODO(stage 2): listen on endpoint.host and endpoint.port with the backlog, wait for
  // 'listening' or 'error', and turn EADDRINUSE into a sentence naming the port.
  // Guide § Binding and listening, § When the port is taken.
  throw new Error('TODO(stage 2): listen');
}

/** Resolves once the listening socket is closed, so the port can be used again at once. */
export async function stopListening(server: Server): Promise<void> {
  // TODO(stage 2): close the server and wait for 'close'. Guide § Restarting at once.
  throw new Error('TODO(stage 2): stopListening');
}

/** Connects the client socket; rejects with a message that tells the user what to do. */
export async function connect(socket: Socket, endpoint: Endpoint): Promise<void> {
  // TODO(stage 2): connect, wait for 'connect' or 'error', and turn ECONNREFUSED into
  // "is the server running?". Guide § Connecting.
  throw new Error('TODO(stage 2): connect');
}
