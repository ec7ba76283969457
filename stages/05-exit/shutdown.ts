// Stage 5, part 2: stop the server cleanly: tell the client, close every socket, leave nothing
// running. Read guide/05-exit.md, then run `make stage-5`.
import type { Server, Socket } from 'node:net';
import { SHUTTING_DOWN } from './session.ts';

/** How long a client may keep its side open after the shutdown line before it is cut off. */
export const SHUTDOWN_GRACE_MS = 1000;

/** The server's open connections, kept up to date: added on accept, removed on close. */
export function trackClients(server: Server): Set<Socket> {
  // TODO(stage 5): add each socket on 'connection', delete it on its 'close'. Guide § Shutting down.
  throw new Error('TODO(stage 5): trackClients');
}

/** Stops accepting, says SHUTTING_DOWN to each client and closes it; resolves when all is closed. */
export async function shutdown(server: Server, clients: Iterable<Socket>, grace = SHUTDOWN_GRACE_MS): Promise<void> {
  // TODO(stage 5): server.close(), end() each client with SHUTTING_DOWN, destroy() those still
  // open after `grace` ms, and wait for every 'close' with no timer left. Guide § Shutting down.
  throw new Error('TODO(stage 5): shutdown');
}
