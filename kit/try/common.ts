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

/** A kit-made server on 127.0.0.1 and PORT (default: any free port), for the stages before 2's listen(). */
export async function kitServer(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(Number(process.env.PORT || 0), '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
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
