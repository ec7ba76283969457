// Shared pieces of the `make try-N` scripts: the student's module, the port to listen on, and
// how to tell a person what to type.
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { studentModule } from '../harness/target.ts';

/** Loads a file of the student's stage (TARGET decides which folder), or exits with one line. */
export async function load<T>(stageFolder: string, file: string): Promise<T> {
  try {
    return await studentModule<T>(stageFolder, file)();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** Runs a call into the student's code and prints its error instead of crashing. */
export function attempt<T>(what: string, call: () => T): T | undefined {
  try {
    return call();
  } catch (err) {
    process.stdout.write(`  ${what} threw: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** The port to try things on: PORT, or the protocol's 12345 (PORT=0: any free port). */
export const tryPort = (): number => Number(process.env.PORT || 12345);

/** A kit-made server on 127.0.0.1 and PORT (default 12345), for the stages whose own code does not listen. */
export async function kitServer(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  const wanted = tryPort();
  server.listen(wanted, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
  } catch (err) {
    process.stderr.write(`Cannot listen on 127.0.0.1:${wanted} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). PORT=0 picks a free port.\n`);
    process.exit(1);
  }
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** How to reach a server on `port` from another terminal. */
export function howToConnect(port: number): string {
  return [
    `In another terminal:   nc 127.0.0.1 ${port}     (or: telnet 127.0.0.1 ${port})`,
    `  (no nc? apt-get install netcat-openbsd; once stage 6 works: make client PORT=${port})`,
    'Ctrl-C here stops it.',
  ].join('\n');
}

/** Lines typed at the terminal, with a prompt. */
export function typed(prompt: string): Interface {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt });
  rl.prompt();
  return rl;
}
