// What a student's client printed to an in-memory output stream, read with deadlines.
import type { PassThrough } from 'node:stream';
import { check } from './failure.ts';
import { showText } from './show.ts';
import type { Transcript } from './transcript.ts';
import { waitUntil } from './wait.ts';

export class Printed {
  text = '';
  constructor(private readonly stream: PassThrough, private readonly transcript: Transcript) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.text += chunk;
      transcript.add('received', 'client output', chunk);
    });
  }

  /** Waits until the output is exactly `want`. */
  async toBe(want: string): Promise<void> {
    await waitUntil(this.stream, ['data'], () => this.text.length >= want.length, `the client to print ${showText(want)}`,
      () => (this.text ? `only ${showText(this.text)}` : 'nothing printed (no output)'), this.transcript);
    check(this.text === want, `the client to print ${showText(want)}`, () => showText(this.text), this.transcript);
  }
}
