// What stage 7 measures about a running client: its CPU time (from /proc), and how long a line
// takes from the test server's socket to the client's stdout. Plus the seed its inputs vary with.
import { performance } from 'node:perf_hooks';
import type { Program } from '../../kit/harness/program.ts';
import type { WireClient } from '../../kit/harness/wire.ts';
import { cpuMs } from '../../kit/harness/proc.ts';

/**
 * CPU time (user + system) used so far by the program as a whole, in ms, read from /proc/<pid>/stat
 * of each of its processes (Program.programPids: children, a new session's, the sandbox's): each
 * one's own time and that of its children that exited, so a helper that ran and ended still
 * counts. Undefined without /proc (not Linux).
 */
export const programCpuMs = (program: Program): number | undefined => cpuMs(program.programPids());

/**
 * Sends `line` from the test server and resolves once the kernel has it: the moment a fair
 * latency measurement starts (the test's own sending is not the client's time).
 */
export function sendAndMark(peer: WireClient, line: string): Promise<number> {
  peer.transcript.add('sent', peer.who, `${line}\n`);
  return new Promise((resolve) => {
    peer.socket.write(`${line}\n`, () => resolve(performance.now()));
  });
}

/** The client's next stdout line, whatever it is (waitForLine skips lines; this does not). */
export function nextStdoutLine(client: Program, what: string): Promise<string> {
  return client.waitForLine('stdout', what, () => true);
}

/** A small seeded random generator (mulberry32): the same seed gives the same inputs. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The suite's seed: CLASSCHAT_SEED repeats a run; otherwise a new one, printed in every transcript. */
export const SEED = Number(process.env.CLASSCHAT_SEED) || Math.floor(Math.random() * 1e9);
