// Renders a guide chapter for the terminal. Colour follows kit/color.ts (off without a TTY or
// with NO_COLOR); the text reflows to the terminal's width, at most 100 columns.
import { readFileSync } from 'node:fs';
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { chalk } from '../color.ts';
import { renderTable, visibleWidth } from './table.ts';

export function terminalWidth(): number {
  return Math.min(process.stdout.columns || 80, 100);
}

/** Markdown → terminal text. Throws if the chapter cannot be parsed. */
export function renderMarkdown(markdown: string, width = terminalWidth()): string {
  const plain = chalk.level === 0;
  const marked = new Marked(
    markedTerminal({
      reflowText: true,
      width,
      tab: 2,
      // Without colour, "## " is what still marks a heading; tables must not carry escapes.
      showSectionPrefix: plain,
      tableOptions: plain ? { style: { head: [], border: [] } } : {},
    }),
  );
  // marked-terminal 7.3 renders a tight list item's text token as raw text, so `code` and
  // **bold** inside list items would show their markers. Parse the inline tokens instead.
  marked.use({
    renderer: {
      text(token) {
        // A list item's text is not reflowed by marked-terminal: wrap it here, leaving room for
        // the bullet and the list's indent, so items fit the width like paragraphs do.
        return 'tokens' in token && token.tokens ? wrapVisible(this.parser.parseInline(token.tokens), width - 6) : false;
      },
      // Tables fitted to the width, compact, with a neutral header (kit/guide/table.ts).
      table(token) {
        return renderTable(token, (tokens) => this.parser.parseInline(tokens), width);
      },
    },
  });
  return marked.parse(markdown, { async: false });
}

/** Wraps text at spaces so no line is wider than `width` visible columns (colour codes take none). */
export function wrapVisible(text: string, width: number): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(' ')) {
        if (line && visibleWidth(line) + 1 + visibleWidth(word) > width) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      lines.push(line);
      return lines.join('\n');
    })
    .join('\n');
}

export function renderFile(path: string, width?: number): string {
  return renderMarkdown(readFileSync(path, 'utf8'), width);
}

/**
 * The chapter's opening: its title and everything up to the end of its first "What you build"
 * section, for `make stage-N` once the whole chapter has been shown.
 */
export function introOf(markdown: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^## What you build/.test(l));
  if (start < 0) return lines.slice(0, lines.findIndex((l, i) => i > 0 && /^## /.test(l))).join('\n');
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(0, end < 0 ? undefined : end).join('\n');
}

/** The `## ` headings of a chapter, for checking that every "§ Heading" a test names exists. */
export function headingsOf(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => /^#{1,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim());
}
