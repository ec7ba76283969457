// A test's TCP client: connect, send, and wait for lines or the close with a deadline, logging
// every step into the test's transcript. Every wait ends in seconds with a message that says
// what was expected and what arrived ("nothing within 2 s"), never a runner timeout.
import { connect as netConnect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { ExpectationFailure } from './failure.ts';
import { patientTimer } from './patience.ts';
import { showDuration, showText, showWithBytes } from './show.ts';
import { Transcript } from './transcript.ts';
import { Waiters } from './waiters.ts';

/**
 * How long a reply may take on an idle machine before the test says "nothing within" (loopback
 * replies take µs); every wait stretches it on a busy machine (patience.ts).
 */
export const REPLY_WITHIN = 2000;
/**
 * Unread text a connection may hold in the tests' process. Past it the test stops reading (TCP
 * flow control then holds the sender back), so a peer that floods cannot fill the tests' memory;
 * every protocol exchange of the suites is far smaller.
 */
export const UNREAD_CAP_CHARS = 8 * 1024 * 1024;
/** Unread lines one connection may hold (a flood of empty lines costs a line each, not bytes). */
export const UNREAD_CAP_LINES = 100_000;
/** Unread text of every connection of the tests' process together: many connections, one budget. */
export const UNREAD_TOTAL_CAP_CHARS = 64 * 1024 * 1024;

/** What every connection of this process holds unread, and the connections held back for it. */
const everyone = { unread: 0, heldBack: new Set<WireClient>() };

export interface WaitOptions {
  within?: number;
}

export interface ConnectOptions extends WaitOptions {
  host?: string;
  /** Name in the transcript, e.g. "client" or "client 2". */
  who?: string;
  transcript?: Transcript;
}

export class WireClient {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private unterminated = '';
  private readonly lines: string[] = [];
  private unread = 0;
  private closed = false;
  private error: Error | undefined;
  private readonly waiters = new Waiters();

  private constructor(
    readonly socket: Socket,
    readonly who: string,
    readonly transcript: Transcript,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.error = err;
      this.transcript.note(`${who}: socket error ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      this.waiters.wake();
    });
    socket.on('close', () => {
      this.forget();
      this.closed = true;
      // Bytes after the last "\n" are not a line: the protocol ends every line with one.
      this.unterminated = this.partial + this.decoder.end();
      this.partial = '';
      if (this.unterminated) this.transcript.add('received', this.who, this.unterminated);
      this.waiters.wake();
    });
  }

  /** Opens a TCP connection; fails the test if it is refused or takes longer than `within`. */
  static async connect(port: number, opts: ConnectOptions = {}): Promise<WireClient> {
    const host = opts.host ?? '127.0.0.1';
    const who = opts.who ?? 'client';
    const transcript = opts.transcript ?? new Transcript();
    const within = opts.within ?? REPLY_WITHIN;
    const socket = netConnect({ port, host });
    transcript.note(`${who} connects to ${host}:${port}`);
    await new Promise<void>((resolve, reject) => {
      const cancel = patientTimer(within, (waited) => {
        socket.destroy();
        reject(new ExpectationFailure({ expected: `a TCP connection to ${host}:${port}`, got: `no answer within ${showDuration(waited)}`, transcript }));
      });
      socket.once('connect', () => {
        cancel();
        resolve();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        cancel();
        const got = err.code === 'ECONNREFUSED' ? 'connection refused (is anything listening on that port?)' : `${err.code ?? ''} ${err.message}`;
        reject(new ExpectationFailure({ expected: `a TCP connection to ${host}:${port}`, got, transcript }));
      });
    });
    return new WireClient(socket, who, transcript);
  }

  /** Wraps a socket a test server accepted, so both directions share one transcript and deadlines. */
  static wrap(socket: Socket, opts: { who: string; transcript: Transcript }): WireClient {
    return new WireClient(socket, opts.who, opts.transcript);
  }

  /** Writes raw text (include the `\n` yourself). */
  send(text: string): void {
    this.transcript.add('sent', this.who, text);
    this.socket.write(text);
  }

  /** Writes `line` followed by `\n`. */
  sendLine(line: string): void {
    this.send(`${line}\n`);
  }

  /** Writes raw bytes, e.g. invalid UTF-8 or half a character. */
  sendBytes(bytes: Buffer, label?: string): void {
    this.transcript.add('sent', this.who, label ?? `<${bytes.length} bytes: ${bytes.toString('hex').slice(0, 40)}>`);
    this.socket.write(bytes);
  }

  /** Waits for the next complete line and returns it without its `\n` (a trailing `\r` is dropped too). */
  async nextLine(what: string, opts: WaitOptions = {}): Promise<string> {
    const within = opts.within ?? REPLY_WITHIN;
    const waited = await this.waiters.until(() => this.lines.length > 0 || this.closed || this.error !== undefined, within);
    const line = this.lines.shift();
    if (line !== undefined) {
      this.count(-(line.length + 1));
      // The test reads this one: it goes on as soon as it holds little itself, whatever the others
      // hold (it pauses again at its next chunk while everyone is over budget, so the test's
      // memory grows only as fast as the test reads).
      if (everyone.heldBack.has(this) && this.wellUnder()) this.letGo();
      WireClient.letThrough();
      return line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    if (this.partial.length > UNREAD_CAP_CHARS) throw this.failure(what, `more than ${UNREAD_CAP_CHARS / 2 ** 20} MiB with no "\\n" (the test stopped reading there)`);
    throw this.failure(what, this.closed || this.error ? this.closeDescription() : `nothing within ${showDuration(waited)} (no response)`);
  }

  /** Waits for the next line and fails unless it is exactly `expected`. */
  async expectLine(expected: string, opts: WaitOptions = {}): Promise<void> {
    const what = showWithBytes(`${expected}\n`);
    const line = await this.nextLine(what, opts);
    if (line !== expected) throw this.failure(what, showWithBytes(`${line}\n`));
  }

  /** Waits until the peer closes the connection; unread lines or a timeout fail the test. */
  async expectClose(what = 'the server to close the connection', opts: WaitOptions = {}): Promise<void> {
    const within = opts.within ?? REPLY_WITHIN;
    const waited = await this.waiters.until(() => this.lines.length > 0 || this.closed, within);
    if (this.lines.length > 0) throw this.failure(what, `another line first: ${showWithBytes(`${this.lines[0]}\n`)}`);
    if (!this.closed) throw this.failure(what, `the connection still open after ${showDuration(waited)}`);
  }

  /** True once the peer has closed (or reset) the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes our side gracefully (FIN). */
  end(): void {
    this.transcript.note(`${this.who} closes its side of the connection`);
    this.socket.end();
  }

  /** Drops the connection with a reset (RST), the way a crashed client does. */
  reset(): void {
    this.transcript.note(`${this.who} resets the connection (RST)`);
    this.socket.resetAndDestroy();
  }

  /** Frees the socket at the end of a test; safe to call twice. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    // Only the new text is searched for line ends: a long line arriving in many chunks costs O(n).
    const text = this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.pushLine(this.partial + text.slice(start, nl));
      this.partial = '';
      start = nl + 1;
    }
    this.partial += text.slice(start);
    if (this.overCap()) {
      this.socket.pause();
      everyone.heldBack.add(this);
    }
    this.waiters.wake();
  }

  private overCap(): boolean {
    return this.unread + this.partial.length > UNREAD_CAP_CHARS || this.lines.length > UNREAD_CAP_LINES || everyone.unread > UNREAD_TOTAL_CAP_CHARS;
  }

  /** Unread text changed by `chars` here (a line counts its newline too); a closed connection's is its own. */
  private count(chars: number): void {
    this.unread += chars;
    if (!this.closed) everyone.unread += chars;
  }

  /** Complete lines received and not read yet. */
  get unreadLines(): number {
    return this.lines.length;
  }

  /** Unread text of every open connection of this process together (what UNREAD_TOTAL_CAP_CHARS bounds). */
  static get unreadEverywhere(): number {
    return everyone.unread;
  }

  /** Lets held-back connections read again once they, and everyone, are well under the caps. */
  private static letThrough(): void {
    if (everyone.unread > UNREAD_TOTAL_CAP_CHARS / 2) return;
    for (const client of everyone.heldBack) if (client.wellUnder()) client.letGo();
  }

  private wellUnder(): boolean {
    return this.unread + this.partial.length < UNREAD_CAP_CHARS / 2 && this.lines.length < UNREAD_CAP_LINES / 2;
  }

  private letGo(): void {
    everyone.heldBack.delete(this);
    this.socket.resume();
  }

  /** A closed connection can receive nothing more: what it holds leaves everyone's budget. */
  private forget(): void {
    everyone.unread -= this.unread;
    everyone.heldBack.delete(this);
    WireClient.letThrough();
  }

  private pushLine(line: string): void {
    this.transcript.add('received', this.who, `${line}\n`);
    this.lines.push(line);
    this.count(line.length + 1);
  }

  private closeDescription(): string {
    if (this.error) return `the connection failed: ${(this.error as NodeJS.ErrnoException).code ?? this.error.message}`;
    if (this.unterminated) return `${showWithBytes(this.unterminated)} with no "\\n" at the end, then the connection was closed`;
    return 'the connection was closed by the other side, with nothing more';
  }

  private failure(expected: string, got: string): ExpectationFailure {
    return new ExpectationFailure({ expected: `${this.who} to receive ${expected}`, got, transcript: this.transcript });
  }
}

