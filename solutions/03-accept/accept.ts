// Stage 3: accept one client at a time, greet it, and turn others away. See guide/03-accept.md.
import type { Server, Socket } from 'node:net';

export const ACK = 'Connection established. Welcome to ClassChat Server!';
export const BUSY = 'Server busy: another client is connected. Try again later.';

/** What the server does with the client it serves (stage 4 fills this in). */
export type Session = (client: Socket) => void;

/** `127.0.0.1:54321`: the client's address as the server sees it. */
export function describePeer(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * Serves one client at a time. The first client is logged, greeted with the ACK line and handed
 * to `session`; a client that arrives while another is served gets the busy line and is closed.
 * When the served client's connection closes, the next one is welcome.
 */
export function acceptClients(server: Server, session: Session, log: (line: string) => void = console.log): void {
  let current: Socket | undefined;

  server.on('connection', (client: Socket) => {
    // Without an 'error' listener, a client's reset (ECONNRESET) would crash the whole server.
    client.on('error', (err: NodeJS.ErrnoException) => log(`Client ${describePeer(client)} error: ${err.code ?? err.message}`));

    if (current) {
      log(`Client ${describePeer(client)} turned away: busy`);
      client.end(`${BUSY}\n`);
      // Keep reading (and dropping) what it sends: only a socket that reads sees the client's
      // FIN or reset, and only then does it close and free its file descriptor.
      client.resume();
      return;
    }
    current = client;
    const peer = describePeer(client);
    log(`Client connected from ${peer}`);
    client.on('close', () => {
      current = undefined;
      log(`Client ${peer} disconnected`);
    });
    client.write(`${ACK}\n`);
    session(client);
  });
}

/**
 * Client side: waits for the server's first line. Resolves with the ACK; rejects with a clear
 * message when the server is busy or closes without greeting. Leaves the socket paused, with any
 * bytes that followed the greeting put back for the next reader.
 */
export function readAck(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      // Work on bytes: the line ends at the first 0x0a, whatever characters surround it.
      received = Buffer.concat([received, chunk]);
      const nl = received.indexOf(0x0a);
      if (nl === -1) return;
      const line = received.subarray(0, nl).toString('utf8').replace(/\r$/, '');
      const rest = received.subarray(nl + 1);
      stop();
      // Bytes after the ACK belong to whoever reads next: hand them back to the socket.
      if (rest.length > 0) socket.unshift(rest);
      if (line === BUSY) reject(new Error('The server is busy with another client. Try again later.'));
      else resolve(line);
    };
    const onEnd = () => {
      stop();
      reject(new Error('The server closed the connection before greeting.'));
    };
    const onError = (err: NodeJS.ErrnoException) => {
      stop();
      reject(new Error(`The connection failed before the greeting: ${err.code ?? err.message}`));
    };
    const stop = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}
