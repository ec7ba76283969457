// The servers a benchmark measures: each started from its file with --port 0 in a process group of
// its own (tsx may start helpers), its port read from its first stdout line, and killed as a group.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { killGroup } from '../harness/program.ts';
import { kitRoot } from '../stages.ts';

export const HOST = '127.0.0.1';
const START_WITHIN_MS = 10_000;
const running = new Set<ChildProcess>();

/** Starts a server file on HOST, port 0; resolves with its port. `stderr` is shown or dropped. */
export async function startServer(file: string, stderr: 'inherit' | 'ignore' = 'inherit'): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, '--host', HOST, '--port', '0'], {
    cwd: kitRoot(),
    stdio: ['ignore', 'pipe', stderr],
    detached: true,
  });
  running.add(child);
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(() => ''),
    new Promise<string>((resolve) => setTimeout(() => resolve(''), START_WITHIN_MS).unref()),
  ]);
  const port = Number(/:(\d+)\s*$/.exec(first)?.[1] ?? NaN);
  if (!(port > 0)) throw new Error(`${relative(kitRoot(), file)} did not announce a port (first line: ${JSON.stringify(first)}).`);
  lines.on('line', () => {}); // keep draining its log lines
  return { child, port };
}

export function stopServer(child: ChildProcess): void {
  killGroup(child.pid, 'SIGKILL');
  running.delete(child);
}

/** Every server still running (on the way out, also after an error). */
export function stopAllServers(): void {
  for (const child of running) stopServer(child);
}
