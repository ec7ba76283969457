// Draws a demo's recording as a terminal window in SVG: one row per line, each program in its own
// colour with its name in a left column, typed lines bold after a "> ", stderr in orange, the
// demo's own notes dimmed. Long lines wrap inside the window. Plain SVG text: it stays sharp at any
// size, can be searched, and opens in any browser or word processor.

export interface Line {
  who: string;
  kind: 'stdout' | 'stderr' | 'typed' | 'event' | 'caption';
  text: string;
}

const CHAR_W = 8.4; // 14px DejaVu Sans Mono advance
const ROW_H = 19;
const PAD = 16;
const BAR_H = 30;
const MAX_COLS = 100;
const PALETTE = ['#7ee787', '#79c0ff', '#d2a8ff', '#ffa657', '#f778ba', '#a5d6ff'];

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '�');

function wrap(text: string, cols: number): string[] {
  const chars = [...text];
  if (chars.length <= cols) return [text];
  const rows: string[] = [];
  for (let i = 0; i < chars.length; i += cols) rows.push(chars.slice(i, i + cols).join(''));
  return rows;
}

export function terminalSvg(title: string, lines: Line[]): string {
  const whoW = Math.max(6, ...lines.map((l) => l.who.length));
  const shown = lines.filter((l) => l.kind !== 'caption');
  const colours = new Map<string, string>();
  const colour = (who: string): string => {
    if (!colours.has(who)) colours.set(who, PALETTE[colours.size % PALETTE.length]);
    return colours.get(who) ?? PALETTE[0];
  };
  const textCols = MAX_COLS - whoW - 3;
  const rows: string[] = [];
  let y = BAR_H + PAD + 12;
  for (const line of lines) {
    if (line.kind === 'caption') {
      y += rows.length ? 8 : 0;
      rows.push(`<text class="caption" x="${PAD}" y="${y}">${escapeXml(line.text)}</text>`);
      y += ROW_H + 2;
      continue;
    }
    const c = colour(line.who);
    const prefix = line.kind === 'typed' ? '> ' : line.kind === 'stderr' ? '! ' : '';
    wrap(prefix + line.text, textCols).forEach((part, i) => {
      const who = i === 0 ? `<tspan fill="${c}">${escapeXml(line.who.padEnd(whoW))}</tspan>` : ' '.repeat(whoW);
      const cls = line.kind;
      rows.push(`<text x="${PAD}" y="${y}">${who} <tspan fill="#6e7681">│</tspan> <tspan class="${cls}">${escapeXml(part)}</tspan></text>`);
      y += ROW_H;
    });
  }
  const width = Math.ceil(PAD * 2 + CHAR_W * Math.min(MAX_COLS, Math.max(60, whoW + 3 + Math.max(0, ...shown.map((l) => [...l.text].length + 2)))));
  const height = y + PAD - 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    '<style>',
    'text{font-family:"DejaVu Sans Mono",ui-monospace,Menlo,Consolas,monospace;font-size:14px;fill:#e6edf3;white-space:pre}',
    '.caption{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-weight:600;fill:#f0f6fc}.typed{font-weight:bold;fill:#ffffff}.stderr{fill:#ffa657}.event{fill:#8b949e;font-style:italic}',
    '.title{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:13px;fill:#8b949e;text-anchor:middle}',
    '</style>',
    `<rect width="${width}" height="${height}" rx="8" fill="#0d1117"/>`,
    `<path d="M0,8 a8,8 0 0 1 8,-8 h${width - 16} a8,8 0 0 1 8,8 v${BAR_H - 8} h-${width} z" fill="#21262d"/>`,
    '<circle cx="18" cy="15" r="6" fill="#ff5f56"/><circle cx="38" cy="15" r="6" fill="#ffbd2e"/><circle cx="58" cy="15" r="6" fill="#27c93f"/>',
    `<text class="title" x="${width / 2}" y="19">${escapeXml(title)}</text>`,
    ...rows,
    '</svg>',
  ].join('\n');
}
