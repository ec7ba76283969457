// The parties the stage 9 tests play besides the student's programs: raw JSON peers that speak
// the chat protocol line by line, a seeded source of names and texts, and the contract's strings.
import { isDeepStrictEqual } from 'node:util';
import { ExpectationFailure } from '../../kit/harness/failure.ts';
import type { TestKit } from '../../kit/harness/graded.ts';
import { showText } from '../../kit/harness/show.ts';
import type { WireClient } from '../../kit/harness/wire.ts';

export const GREETING = 'Connection established. Welcome to ClassChat Server!';
export const GOODBYE = 'Goodbye! Connection closing...';
export const SHUTDOWN = 'Server shutting down. Goodbye!';
export const welcome = (name: string, online: string[]): string => `Welcome, ${name}! Online: ${online.join(', ')}`;
export const joined = (name: string): string => `${name} joined`;
export const left = (name: string): string => `${name} left`;
export const MAX_LINE_BYTES = 4096;

export type Json = Record<string, unknown>;

/** A repeatable run: CLASSCHAT_SEED=<n> replays the names and texts of a failed run. */
export function seeded(t: TestKit): () => number {
  const fromEnv = Number(process.env.CLASSCHAT_SEED);
  let state = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1 + Math.floor(Math.random() * 2 ** 31);
  t.transcript.note(`seed ${state} (CLASSCHAT_SEED=${state} replays this run's names and texts)`);
  // mulberry32: small, fast, and the same sequence everywhere.
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const WORDS = ['hello', 'TCP', 'packets', 'ünïcødé', 'café ✓', '🎉', 'quotes "like this"', 'back\\slash', 'tab\there', 'ACK', 'SYN', 'a,b,}', '{"json":"inside"}'];
const SUFFIXES = ['x', 'y', 'z', '7', '_q', '-k', 'Jo', 'Lu'];

/** Names for a test: `base` plus a random tail, so no run depends on one spelling. */
export function names(random: () => number, ...bases: string[]): string[] {
  const tail = SUFFIXES[Math.floor(random() * SUFFIXES.length)] + String(Math.floor(random() * 90) + 10);
  return bases.map((b) => `${b}${tail}`);
}

/** A chat text of a few words, some of them with characters JSON must escape. */
export function text(random: () => number, words = 4): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

const describe = (want: Json): string => showText(JSON.stringify(want), 300);

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** A test's own connection that speaks JSON lines, logged in the test's transcript. */
export class JsonPeer {
  /**
   * True until the first line has been read from a server. Only the greeting test is strict about
   * that line: elsewhere a greeting that is not JSON is skipped, so one mistake costs one test.
   */
  private greetingPending: boolean;

  constructor(
    readonly wire: WireClient,
    readonly t: TestKit,
    public name: string,
    fromServer = false,
  ) {
    this.greetingPending = fromServer;
  }

  /** Connects to the server; its greeting is read (and skipped) with the first message. */
  static async connect(t: TestKit, port: number, who: string): Promise<JsonPeer> {
    return new JsonPeer(await t.connect(port, { who }), t, who, true);
  }

  /** Waits for the first line, whatever it is: the server has then accepted this connection. */
  async accepted(): Promise<JsonPeer> {
    await this.wire.nextLine('a first line (the greeting)');
    this.greetingPending = false;
    return this;
  }

  /** Connects and expects the greeting notice, exactly, as the first line. */
  static async greeted(t: TestKit, port: number, who: string): Promise<JsonPeer> {
    const peer = new JsonPeer(await t.connect(port, { who }), t, who);
    const first = await peer.next('the greeting notice as the first line');
    if (!isDeepStrictEqual(first, { status: '0', sender: 'server', text: GREETING })) {
      throw peer.failure(`the greeting notice ${describe({ status: '0', sender: 'server', text: GREETING })} as the first line`, showText(JSON.stringify(first), 300));
    }
    return peer;
  }

  /** Connects, signs in as `name` and reads the welcome (any notice after the greeting will do here). */
  static async join(t: TestKit, port: number, name: string): Promise<JsonPeer> {
    const peer = await JsonPeer.connect(t, port, name);
    peer.send({ status: '0', sender: name });
    await peer.expectWelcome(`the welcome notice after signing in as ${name}`);
    return peer;
  }

  send(message: Json): void {
    this.wire.sendLine(JSON.stringify(message));
  }

  /** The next line, which must be one JSON object. */
  async next(what: string): Promise<Json> {
    let line = await this.wire.nextLine(what);
    if (this.greetingPending) {
      this.greetingPending = false;
      if (!isJson(line)) {
        this.t.transcript.note(`${this.wire.who} skips that first line, which is not JSON: the greeting test checks it`);
        line = await this.wire.nextLine(what);
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw this.failure(what, `${showText(line)}, which is not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.failure(what, `${showText(line)}, which is not a JSON object`);
    return value as Json;
  }

  /**
   * The next message that has every field of `want` (more fields are allowed). Notices from the
   * server in between (someone joined or left) are skipped; any other message fails at once.
   */
  async expect(want: Json, what = describe(want)): Promise<Json> {
    for (;;) {
      const got = await this.next(what);
      if (Object.entries(want).every(([k, v]) => isDeepStrictEqual(got[k], v))) return got;
      if (got.status === '0' && got.sender === 'server') continue;
      throw this.failure(what, showText(JSON.stringify(got), 300));
    }
  }

  /** The next notice from the server other than the greeting (any text): the welcome. */
  async expectWelcome(what: string): Promise<Json> {
    for (;;) {
      const got = await this.next(what);
      const notice = got.status === '0' && got.sender === 'server' && typeof got.text === 'string';
      if (notice && got.text !== GREETING) return got;
      if (!notice) throw this.failure(what, showText(JSON.stringify(got), 300));
    }
  }

  /** The next error: status "3" from the server to this peer with `code` and a sentence in `text`. */
  async expectError(code: string, receiver: string | null = this.name): Promise<Json> {
    const want: Json = { status: '3', sender: 'server', error: code };
    if (receiver !== null) want.receiver = receiver;
    const got = await this.expect(want, `an error ${describe(want)} with a sentence in "text"`);
    if (typeof got.text !== 'string' || got.text.trim() === '') {
      throw this.failure(`the error "${code}" to explain itself in "text"`, showText(JSON.stringify(got), 300));
    }
    return got;
  }

  failure(expected: string, got: string): ExpectationFailure {
    return new ExpectationFailure({ expected: `${this.wire.who} to receive ${expected}`, got, transcript: this.t.transcript });
  }
}

/** A chat message from `from` to `to`, in the contract's field order. */
export const chat = (from: string, to: string, body: string): Json => ({ status: '1', sender: from, receiver: to, text: body });
