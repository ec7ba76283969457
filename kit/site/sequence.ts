// Sequence diagrams for the web guide, drawn as SVG from the text of a ```sequence block. The same
// text is what the terminal shows, so a chapter describes each message flow once:
//
//   title: One Task-1 session
//   client --> server: connects
//   server -> client: Connection established. Welcome to ClassChat Server!\n
//   note server: a line of only spaces gets no reply
//
// `A -> B: label` is a line on the wire (solid arrow, label in monospace), `A --> B: label` an event
// of the connection (dashed arrow: connect, close, reset), `note A: text` or `note A, B: text` a
// remark over one lifeline or between two. Participants appear in the order first named, or as
// listed by `participant NAME` lines.
//
// A small generator of our own rather than mermaid or js-sequence-diagrams: those lay text out in
// a browser's DOM (mermaid's command line drives a downloaded Chromium), while this one runs at
// build time with no browser and no network, and its output is the same on every machine.

export interface Message {
  kind: 'message' | 'event';
  from: string;
  to: string;
  label: string;
}
export interface Note {
  kind: 'note';
  over: string[];
  text: string;
}
export type Step = Message | Note;
export interface Sequence {
  title?: string;
  participants: string[];
  steps: Step[];
}

/** Parses a ```sequence block; throws with the line number on a line it cannot read. */
export function parseSequence(source: string): Sequence {
  const seq: Sequence = { participants: [], steps: [] };
  const add = (name: string): string => {
    if (!seq.participants.includes(name)) seq.participants.push(name);
    return name;
  };
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let m: RegExpExecArray | null;
    if ((m = /^title:\s*(.+)$/.exec(line))) seq.title = m[1];
    else if ((m = /^participant\s+(.+)$/.exec(line))) add(m[1].trim());
    else if ((m = /^note\s+([^:]+):\s*(.+)$/.exec(line))) {
      seq.steps.push({ kind: 'note', over: m[1].split(',').map((p) => add(p.trim())), text: m[2] });
    } else if ((m = /^(.+?)\s*(-->|->)\s*(.+?)\s*:\s?(.*)$/.exec(line))) {
      seq.steps.push({ kind: m[2] === '->' ? 'message' : 'event', from: add(m[1]), to: add(m[3]), label: m[4] });
    } else {
      throw new Error(`sequence line ${i + 1}: cannot read "${line}" (expected "A -> B: text", "A --> B: text", "note A: text", "participant A" or "title: text")`);
    }
  });
  if (seq.participants.length < 2) throw new Error('a sequence needs at least two participants');
  return seq;
}

const MONO = 7.9; // width of one character of 13px monospace, in px (a little generous)
const SANS = 7.4; // average width of one character of 13px sans-serif
const HEAD_H = 34;
const ROW_H = 38;
const NOTE_ROW_H = 34;
const MARGIN = 16;
const MIN_GAP = 160;

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const labelWidth = (step: Step): number =>
  step.kind === 'note' ? step.text.length * SANS + 24 : step.label.length * (step.kind === 'message' ? MONO : SANS) + 32;

/** Lifeline positions: wide enough that every label fits between the lifelines it spans. */
function columns(seq: Sequence): number[] {
  const n = seq.participants.length;
  const headW = seq.participants.map((p) => Math.max(90, p.length * SANS + 28));
  const gaps = Array.from({ length: n - 1 }, (_, i) => Math.max(MIN_GAP, (headW[i] + headW[i + 1]) / 2 + 20));
  for (const step of seq.steps) {
    const idx = step.kind === 'note' ? step.over.map((p) => seq.participants.indexOf(p)) : [step.from, step.to].map((p) => seq.participants.indexOf(p));
    const lo = Math.min(...idx);
    const hi = Math.max(...idx);
    if (lo === hi) continue; // a note over one lifeline is centred on it and sized below
    const span = gaps.slice(lo, hi).reduce((a, b) => a + b, 0);
    const need = labelWidth(step);
    if (need > span) gaps[hi - 1] += need - span;
  }
  // Notes over one lifeline and the participant boxes may reach past the outer lifelines.
  let left = headW[0] / 2;
  let right = headW[n - 1] / 2;
  for (const step of seq.steps) {
    if (step.kind !== 'note' || step.over.length !== 1) continue;
    const i = seq.participants.indexOf(step.over[0]);
    const half = labelWidth(step) / 2;
    if (i === 0) left = Math.max(left, half);
    if (i === n - 1) right = Math.max(right, half);
    if (i > 0 && half * 2 > gaps[i - 1]) gaps[i - 1] = Math.max(gaps[i - 1], half + 20);
  }
  const xs = [MARGIN + left];
  for (const g of gaps) xs.push(xs[xs.length - 1] + g);
  xs.push(xs[xs.length - 1] + right + MARGIN); // the last entry is the total width
  return xs;
}

/** The diagram as a standalone SVG document (usable as an <img> or a file of its own). */
export function sequenceSvg(seq: Sequence): string {
  const xs = columns(seq);
  const width = Math.ceil(xs.pop() ?? 0);
  const x = (p: string): number => xs[seq.participants.indexOf(p)];
  const out: string[] = [];
  const titleH = seq.title ? 28 : 0;
  let y = titleH + MARGIN + HEAD_H + 18;
  for (const step of seq.steps) {
    if (step.kind === 'note') {
      const pos = step.over.map(x);
      const w = labelWidth(step);
      const lo = Math.min(...pos);
      const hi = Math.max(...pos);
      const left = pos.length === 1 ? lo - w / 2 : Math.min(lo - 10, (lo + hi) / 2 - w / 2);
      const right = pos.length === 1 ? lo + w / 2 : Math.max(hi + 10, (lo + hi) / 2 + w / 2);
      out.push(`<rect class="note" x="${left}" y="${y - 4}" width="${right - left}" height="24" rx="3"/>`);
      out.push(`<text class="note-text" x="${(left + right) / 2}" y="${y + 12}">${escapeXml(step.text)}</text>`);
      y += NOTE_ROW_H;
      continue;
    }
    const x1 = x(step.from);
    const x2 = x(step.to);
    const dir = x2 > x1 ? 1 : -1;
    const cls = step.kind === 'message' ? 'msg' : 'event';
    out.push(`<text class="${cls}-label" x="${(x1 + x2) / 2}" y="${y + 6}">${escapeXml(step.label)}</text>`);
    out.push(`<line class="${cls}" x1="${x1}" y1="${y + 14}" x2="${x2 - dir * 2}" y2="${y + 14}" marker-end="url(#arrow)"/>`);
    y += ROW_H;
  }
  const height = y + MARGIN;
  const heads = seq.participants.map((p) => {
    const w = Math.max(90, p.length * SANS + 28);
    const cx = x(p);
    const top = titleH + MARGIN;
    return [
      `<line class="life" x1="${cx}" y1="${top + HEAD_H}" x2="${cx}" y2="${height - MARGIN}"/>`,
      `<rect class="head" x="${cx - w / 2}" y="${top}" width="${w}" height="${HEAD_H}" rx="5"/>`,
      `<text class="head-text" x="${cx}" y="${top + HEAD_H / 2 + 5}">${escapeXml(p)}</text>`,
    ].join('');
  });
  const title = seq.title ? `<text class="title" x="${MARGIN}" y="${MARGIN + 10}">${escapeXml(seq.title)}</text>` : '';
  const label = escapeXml(seq.title ?? `Messages between ${seq.participants.join(', ')}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}">`,
    `<style>${SVG_STYLE}</style>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#24292f"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title,
    ...heads,
    ...out,
    '</svg>',
  ].join('\n');
}

const SVG_STYLE = [
  'text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:13px;fill:#24292f;text-anchor:middle}',
  '.title{font-weight:600;font-size:14px;text-anchor:start}',
  '.head{fill:#ddf4ff;stroke:#0969da;stroke-width:1.2}',
  '.head-text{font-weight:600}',
  '.life{stroke:#8c959f;stroke-dasharray:4 4}',
  '.msg,.event{stroke:#24292f;stroke-width:1.4}',
  '.event{stroke-dasharray:6 4}',
  '.msg-label{white-space:pre;font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;fill:#0a3069}',
  '.event-label{font-style:italic;fill:#57606a}',
  '.note{fill:#fff8c5;stroke:#d4a72c}',
  '.note-text{fill:#3b2300}',
].join('');
