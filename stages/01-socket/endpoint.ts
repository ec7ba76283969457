// Stage 1: where to connect, and the two sockets. Read guide/01-socket.md, then run `make stage-1`.
import { isIPv4, Server, Socket } from 'node:net';

/** An IPv4 address and a TCP port: the two halves of a socket address. */
export interface Endpoint {
  host: string;
  port: number;
}

// TODO(stage 1): set the defaults from the protocol. Guide § Where to connect.
export const DEFAULT_HOST = '';
export const DEFAULT_PORT = -1;

/** What the command line gave (`--host`, `--port`); either may be missing. */
export interface EndpointFlags {
  host?: string;
  port?: string;
}

/** Flag beats environment variable (CLASSCHAT_HOST, CLASSCHAT_PORT) beats default. */
export function resolveEndpoint(flags: EndpointFlags, env: Record<string, string | undefined>): Endpoint {
  // TODO(stage 1): pick host and port in that order, checking each with the helpers below.
  // Guide § Where to connect.
  throw new Error('TODO(stage 1): resolveEndpoint');
}

/** `source` is where the text came from ("--port" or "CLASSCHAT_PORT"), for the error message. */
export function parsePort(text: string, source: string): number {
  // TODO(stage 1): digits only, 0 to 65535; otherwise throw an Error naming text and source.
  // Guide § Validating input.
  throw new Error('TODO(stage 1): parsePort');
}

export function parseHost(text: string, source: string): string {
  // TODO(stage 1): an IPv4 address (isIPv4), or "localhost" meaning 127.0.0.1; otherwise throw.
  // Guide § Validating input.
  throw new Error('TODO(stage 1): parseHost');
}

export function createServerSocket(): Server {
  // TODO(stage 1): create the server's socket; do not bind it yet. Guide § Two kinds of socket.
  throw new Error('TODO(stage 1): createServerSocket');
}

export function createClientSocket(): Socket {
  // TODO(stage 1): create the client's socket; do not connect it yet. Guide § Two kinds of socket.
  throw new Error('TODO(stage 1): createClientSocket');
}
