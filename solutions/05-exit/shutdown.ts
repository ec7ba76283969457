// Stage 5, part 2: stop the server cleanly: tell the client, close every socket, leave nothing
// running. See guide/05-exit.md.
import type { Server, Socket } from 'node:net';
import { SHUTTING_DOWN } from './session.ts';

/** How long a client may keep its side open after the shutdown line before it is cut off. */
export const SHUTDOWN_GRACE_MS = 1000;

/** The server's open connections, kept up to date: added on accept, removed on close. */
export function trackClients(server: Server): Set<Socket> {
  const clients = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
  });
  return clients;
}

/**
 * Stops accepting, sends the shutdown line to every client still being served and closes its
 * connection. Resolves when the listener and every connection are closed, with no timer left.
 */
export async function shutdown(server: Server, clients: Iterable<Socket>, grace = SHUTDOWN_GRACE_MS): Promise<void> {
  // close() stops new connections at once but reports 'close' only when the last one is gone.
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([...clients].map((client) => closeClient(client, grace)));
  await stopped;
}

// Says goodbye and waits for the connection to close; a client that lingers is cut off.
function closeClient(client: Socket, grace: number): Promise<void> {
  if (client.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => client.destroy(), grace);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.on('error', () => {});
    // A client already being closed (turned away as busy, or after its goodbye) gets no line.
    if (!client.writableEnded) client.end(`${SHUTTING_DOWN}\n`);
    // Keep reading, so the client's own FIN is seen and the connection can close.
    client.resume();
  });
}
