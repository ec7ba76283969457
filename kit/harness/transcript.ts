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
/** When folding: the first entries, the last ones, and the test's own last actions. */
const HEAD = 6;
const TAIL = 16;
const ACTIONS = 3;

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

  /**
   * The conversation as indented lines. A long one folds only its middle: it keeps the first steps,
   * the last steps before the failure, and the test's own last few actions (what it sent or did,
   * with the entry that followed each), however much a program printed after them.
   */
  format(): string {
    if (this.entries.length === 0) return '  (nothing was sent or received)';
    const n = this.entries.length;
    if (n <= MAX_ENTRIES && this.dropped === 0) return this.entries.map(formatEntry).join('\n');
    const keep = new Set<number>();
    for (let i = 0; i < Math.min(HEAD, n); i++) keep.add(i);
    for (let i = Math.max(0, n - TAIL); i < n; i++) keep.add(i);
    for (let i = n - 1, found = 0; i >= 0 && found < ACTIONS; i--) {
      if (this.entries[i].direction === 'received') continue;
      keep.add(i);
      if (i + 1 < n) keep.add(i + 1);
      found++;
    }
    const out: string[] = [];
    let skipped = 0;
    for (let i = 0; i < n; i++) {
      // Entries dropped to bound memory sat just before index KEEP_FIRST.
      if (i === KEEP_FIRST) skipped += this.dropped;
      if (!keep.has(i)) {
        skipped++;
        continue;
      }
      if (skipped > 0) out.push(`  … ${skipped} more steps …`);
      skipped = 0;
      out.push(formatEntry(this.entries[i]));
    }
    return out.join('\n');
  }
}

function formatEntry(e: Entry): string {
  const arrow = ARROWS[e.direction];
  if (e.direction === 'note') return `  ${arrow} ${e.text}`;
  const verb = e.direction === 'sent' ? 'sent' : 'got ';
  return `  ${arrow} ${e.who} ${verb} ${showText(e.text, 120)}`;
}
