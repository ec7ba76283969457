// What the stage 8 suite plays against a multi-client server: a seeded source of test input, a
// crowd of clients each with its own conversation, a client that pipelines lines without reading
// its replies (the server's memory is watched with 06-final/programs.ts peakMemory).
import { ExpectationFailure } from '../../kit/harness/failure.ts';
import type { TestKit } from '../../kit/harness/graded.ts';
import { describeExit } from '../../kit/harness/program.ts';
import { showDuration, showText } from '../../kit/harness/show.ts';
import { Transcript } from '../../kit/harness/transcript.ts';
import { WireClient } from '../../kit/harness/wire.ts';
import { ACK } from '../06-final/peers.ts';
import { startServer, type RunningServer } from '../06-final/programs.ts';

/** Set it to repeat a run's inputs exactly; every test notes the seed it used. */
export const SEED_VAR = 'CLASSCHAT_SEED';

/** A small seeded generator (mulberry32): the same seed gives the same test input. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let x = this.state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A generator of its own for party `i`: concurrent parties then draw the same input in any order. */
  fork(i: number): Rng {
    return new Rng(Math.imul(this.seed ^ 0x9e3779b9, i + 1) ^ (i * 0x85ebca6b));
  }
}

/** The test's generator: from CLASSCHAT_SEED if set, else a fresh seed, noted in the transcript. */
export function seeded(t: TestKit): Rng {
  const given = Number(process.env[SEED_VAR]);
  const seed = Number.isInteger(given) && process.env[SEED_VAR] ? given : Math.floor(Math.random() * 2 ** 31);
  t.transcript.note(`seed ${seed} (${SEED_VAR}=${seed} repeats this test's input)`);
  return new Rng(seed);
}

const WORDS = ['hello', 'ClassChat', 'socket', 'Bob', 'Alice', 'ünïcødé', 'café ✓', '🎉', 'tab\there', '  spaced  ', '"quoted"', 'a,b;c', '日本語', '1024'];

/** A line of a few seeded words that is not blank and not "exit". */
export function seededLine(rng: Rng, who: string, n: number): string {
  const words = Array.from({ length: rng.int(1, 5) }, () => rng.pick(WORDS));
  return `${who} #${n}: ${words.join(' ')}`;
}

/**
 * Runs `step` for one party of a crowd, whose conversation has a transcript of its own. When it
 * fails, the failure shows what the test and the server did meanwhile, the conversation of every
 * other client the failure names (e.g. whose bytes arrived in this client's reply), then this
 * party's own conversation and the expectation that broke.
 */
export async function asParty<T>(t: TestKit, step: () => Promise<T>, party?: { who: string; crowd: readonly WireClient[] }): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof ExpectationFailure)) throw err;
    // The crowd's lines start with their sender's name ("client 7 #2: …"): look for them in what arrived.
    const got = err.message.slice(err.message.lastIndexOf('\nGot:'));
    const named = (party?.crowd ?? []).filter((c) => c.who !== party?.who && got.includes(`${c.who} #`));
    const others = named.slice(0, 3).map((c) => `The conversation of ${c.who}, whose line this failure shows:\n${c.transcript.format()}`);
    const failure = new ExpectationFailure({ expected: '', got: '' });
    failure.message = [`Meanwhile, the test and the server:\n${t.transcript.format()}`, ...others, err.message].join('\n');
    throw failure;
  }
}

/**
 * Starts the stage's server with its stdout log kept out of the test's transcript (one line per
 * client of a crowd would bury everything else); its exit, and the end of its stderr, are noted.
 */
export async function startCrowdServer(t: TestKit, stage: string): Promise<RunningServer> {
  const running = await startServer({ ...t, transcript: new Transcript() }, { stage });
  t.transcript.note(`server listening on port ${running.port} (its log of each client is left out here)`);
  void running.program.exited.then((exit) => {
    const stderr = running.program.out.stderr.captured().trim();
    t.transcript.note(`server exited with ${describeExit(exit)}${stderr ? `; the end of its stderr: ${showText(stderr.slice(-300), 300)}` : ''}`);
  });
  return running;
}

/**
 * Opens `count` connections at once, each with a transcript of its own (a failure shows the one
 * client's conversation, not 200 interleaved), and waits until every one has its greeting.
 */
export async function joinCrowd(t: TestKit, port: number, count: number, name = 'client'): Promise<WireClient[]> {
  t.transcript.note(`${count} clients connect at once (${name} 1 … ${name} ${count}), each with a conversation of its own`);
  return Promise.all(
    Array.from({ length: count }, (_, i) => asParty(t, async () => {
      const who = `${name} ${i + 1}`;
      const transcript = new Transcript();
      transcript.note(`${who} of ${count} connected at the same time`);
      const client = await WireClient.connect(port, { who, transcript });
      t.defer(() => client.destroy());
      await client.expectLine(ACK);
      return client;
    })),
  );
}

export interface Pipelined {
  /** Bytes handed to the connection (the kernel took them; the server may not have read them yet). */
  sentBytes: number;
  /** True when the connection stopped taking bytes for `stallMs`: the server stopped reading. */
  stalled: boolean;
}

export interface PipelineOptions {
  /** Stop after this many bytes. */
  maxBytes: number;
  /** How long the connection may refuse more bytes before it counts as stalled. */
  stallMs: number;
  /** Length of each line, without its "\n". */
  lineBytes: number;
  /** Called after each batch; throw to stop (e.g. when the server's memory grew too much). */
  onBatch?: (sentBytes: number) => void;
}

const BATCH_BYTES = 256 * 1024;

/**
 * Sends lines of "x…" as fast as the connection takes them, never reading a reply (the caller
 * paused the socket). A server that applies backpressure stops reading, the connection's buffers
 * fill, and the sending stalls; one that does not keeps taking bytes up to `maxBytes`.
 */
export async function pipelineLines(client: WireClient, opts: PipelineOptions): Promise<Pipelined> {
  const line = `${'x'.repeat(opts.lineBytes)}\n`;
  const batch = Buffer.from(line.repeat(Math.max(1, Math.floor(BATCH_BYTES / line.length))));
  client.transcript.note(`${client.who} sends lines of ${opts.lineBytes} × "x" as fast as the connection takes them, up to ${Math.round(opts.maxBytes / 2 ** 20)} MiB, and never reads a reply`);
  let sentBytes = 0;
  while (sentBytes < opts.maxBytes) {
    if (client.isClosed) {
      throw new ExpectationFailure({ expected: `the server to keep ${client.who}'s connection open`, got: `it was closed after ${mib(sentBytes)} had been sent`, transcript: client.transcript });
    }
    const more = client.socket.write(batch);
    sentBytes += batch.length;
    opts.onBatch?.(sentBytes);
    if (more) continue;
    const drained = await drainedWithin(client, opts.stallMs);
    if (!drained) {
      if (client.isClosed) continue; // reported at the top of the loop
      client.transcript.note(`${client.who}'s connection took no more bytes for ${showDuration(opts.stallMs)} after ${mib(sentBytes)}: the server stopped reading`);
      return { sentBytes, stalled: true };
    }
  }
  client.transcript.note(`${client.who} sent all ${mib(sentBytes)}: the server read everything`);
  return { sentBytes, stalled: false };
}

/** "12.3 MiB". */
export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

// A fixed window, not one stretched with the load: a stall only ends the sending, it never fails
// a test, and a stretched window would spend a loaded machine's time waiting on a correct server.
function drainedWithin(client: WireClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.socket.off('drain', onDrain);
      client.socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    client.socket.on('drain', onDrain);
    client.socket.on('close', onClose);
  });
}
