// Renders a guide chapter for the terminal. Colour follows kit/color.ts (off without a TTY or
// with NO_COLOR); the text reflows to the terminal's width, at most 100 columns.
import { readFileSync } from 'node:fs';
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { chalk } from '../color.ts';

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
        return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : false;
      },
    },
  });
  return marked.parse(markdown, { async: false });
}

export function renderFile(path: string, width?: number): string {
  return renderMarkdown(readFileSync(path, 'utf8'), width);
}

/** The `## ` headings of a chapter, for checking that every "§ Heading" a test names exists. */
export function headingsOf(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => /^#{1,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim());
}
