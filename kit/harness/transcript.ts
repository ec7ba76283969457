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

export class Transcript {
  private readonly entries: Entry[] = [];

  add(direction: Direction, who: string, text: string): void {
    this.entries.push({ direction, who, text });
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
    return [...head, `  … ${lines.length - head.length - tail.length} more steps …`, ...tail].join('\n');
  }
}
