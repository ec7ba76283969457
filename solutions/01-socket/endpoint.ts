// Stage 1: where to connect, and the two sockets. See guide/01-socket.md.
import { isIPv4, Server, Socket } from 'node:net';

/** An IPv4 address and a TCP port: the two halves of a socket address. */
export interface Endpoint {
  host: string;
  port: number;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 12345;

/** What the command line gave (`--host`, `--port`); either may be missing. */
export interface EndpointFlags {
  host?: string;
  port?: string;
}

/**
 * Decides the endpoint: a flag wins over the environment (CLASSCHAT_HOST, CLASSCHAT_PORT), which
 * wins over the defaults. Throws an Error that names the bad value and where it came from.
 */
export function resolveEndpoint(flags: EndpointFlags, env: Record<string, string | undefined>): Endpoint {
  const host = pick(flags.host, '--host', env.CLASSCHAT_HOST, 'CLASSCHAT_HOST');
  const port = pick(flags.port, '--port', env.CLASSCHAT_PORT, 'CLASSCHAT_PORT');
  return {
    host: host ? parseHost(host.value, host.source) : DEFAULT_HOST,
    port: port ? parsePort(port.value, port.source) : DEFAULT_PORT,
  };
}

// The first value that is set, with the name of where it came from (for error messages).
function pick(flag: string | undefined, flagName: string, envValue: string | undefined, envName: string) {
  if (flag !== undefined) return { value: flag, source: flagName };
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: envName };
  return undefined;
}

/** A port is a whole number from 0 to 65535; 0 asks the system for any free port. */
export function parsePort(text: string, source: string): number {
  const trimmed = text.trim();
  // Number() would accept "1e3", "0x10" and "" (as 0): only plain digits are a port.
  const port = /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new Error(`Invalid port "${text}" (from ${source}): use a whole number from 0 to 65535.`);
  }
  return port;
}

/** ClassChat runs over IPv4: a dotted address, or `localhost` for 127.0.0.1. */
export function parseHost(text: string, source: string): string {
  const host = text.trim();
  if (host === 'localhost') return DEFAULT_HOST;
  if (!isIPv4(host)) {
    throw new Error(`Invalid host "${text}" (from ${source}): use an IPv4 address such as 127.0.0.1.`);
  }
  return host;
}

/**
 * The server's listening socket. Nothing is bound yet (that is stage 2); `noDelay` turns off
 * Nagle's algorithm on every accepted connection, so short chat lines leave at once.
 */
export function createServerSocket(): Server {
  return new Server({ noDelay: true });
}

/** The client's socket, not yet connected (stage 2 connects it). */
export function createClientSocket(): Socket {
  const socket = new Socket();
  socket.setNoDelay(true);
  return socket;
}
