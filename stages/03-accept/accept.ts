// Stage 3: accept one client at a time, greet it, turn others away. Read guide/03-accept.md,
// then run `make stage-3`.
import type { Server, Socket } from 'node:net';

export const ACK = 'Connection established. Welcome to ClassChat Server!';
export const BUSY = 'Server busy: another client is connected. Try again later.';

/** What the server does with the client it serves (stage 4 fills this in). */
export type Session = (client: Socket) => void;

/** The client's address as the server sees it, e.g. "127.0.0.1:54321". */
export function describePeer(socket: Socket): string {
  // TODO(stage 3): use socket.remoteAddress and socket.remotePort. Guide § Accepting a client.
  return '';
}

/**
 * Serves one client at a time: log "Client connected from <peer>", send the ACK line, call
 * `session`. A client that arrives while another is served gets the BUSY line and is closed.
 */
export function acceptClients(server: Server, session: Session, log: (line: string) => void = console.log): void {
  server.on('connection', (client: Socket) => {
    // TODO(stage 3): add an 'error' listener first. Guide § When a client vanishes.
    // TODO(stage 3): greet and serve the client, or turn it away if one is served already;
    // forget the served client when its connection closes. Replace the line below, which hangs
    // up on everyone. Guide § The ACK line, § The busy rule.
    client.destroy();
  });
}

/** Client side: resolves with the server's first line; rejects if it is BUSY or the server hangs up. */
export function readAck(socket: Socket): Promise<string> {
  // TODO(stage 3): collect bytes up to the first "\n"; put any bytes after it back with
  // socket.unshift(). Guide § Reading the greeting.
  return Promise.reject(new Error('TODO(stage 3): readAck'));
}
