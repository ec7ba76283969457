// The conversation of one test: what was sent, what came back, what happened. A failure prints it
// so the student sees the steps that led there, then the one expectation that broke.
import { showText } from './show.ts';

export type Direction = 'sent' | 'received' | 'note';

interface Entry {
  direction: Direction;
  who: string;
  text: string;
}

const ARROWS: Record<Direction, string> = { sent: '→', received: '←', note: '·' };
const MAX_ENTRIES = 30;

/** Entries kept: a program printing millions of lines must not fill memory through the transcript. */
const KEEP_FIRST = 200;
const KEEP_MAX = 400;

export class Transcript {
  private readonly entries: Entry[] = [];
  private dropped = 0;

  add(direction: Direction, who: string, text: string): void {
    if (this.entries.length >= KEEP_MAX) {
      this.entries.splice(KEEP_FIRST, 1);
      this.dropped++;
    }
    this.entries.push({ direction, who, text: text.length > 1000 ? text.slice(0, 1000) : text });
  }

  note(text: string): void {
    this.add('note', '', text);
  }

  /** The conversation as indented lines; long ones keep their first and last entries. */
  format(): string {
    if (this.entries.length === 0) return '  (nothing was sent or received)';
    const lines = this.entries.map((e) => {
      const arrow = ARROWS[e.direction];
      if (e.direction === 'note') return `  ${arrow} ${e.text}`;
      const verb = e.direction === 'sent' ? 'sent' : 'got ';
      return `  ${arrow} ${e.who} ${verb} ${showText(e.text, 120)}`;
    });
    if (lines.length <= MAX_ENTRIES) return lines.join('\n');
    const head = lines.slice(0, 10);
    const tail = lines.slice(-(MAX_ENTRIES - 11));
    const skipped = lines.length - head.length - tail.length + this.dropped;
    return [...head, `  … ${skipped} more steps …`, ...tail].join('\n');
  }
}
