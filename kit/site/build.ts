// `make guide`: the guide as a static web site in dist/guide/, from the same markdown the terminal
// shows. An index with the stage table (from the manifest), a page per chapter and one for the
// protocol, code highlighted at build time, references between chapters turned into links, and
// every ```sequence block drawn as an SVG file. No network, no browser: plain files to open.
//
// Highlighting uses highlight.js: it runs synchronously inside marked's renderer, knows TypeScript,
// shell and JSON, and its themes are plain CSS files we copy. (shiki gives finer colours but loads
// grammars asynchronously through a WebAssembly regex engine, which a synchronous renderer cannot
// wait for.)
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import hljs from 'highlight.js';
import { Marked, type Tokens } from 'marked';
import { guideFile, kitRoot, STAGES, stageId, type Stage } from '../stages.ts';
import { parseSequence, sequenceSvg } from './sequence.ts';
import { PAGE_STYLE } from './style.ts';

export interface Page {
  /** `03-accept.html` */
  file: string;
  /** The chapter's first heading. */
  title: string;
  markdown: string;
  stage?: Stage;
}

export interface Site {
  dir: string;
  pages: string[];
  diagrams: string[];
}

export const siteDir = (): string => join(kitRoot(), 'dist', 'guide');

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `The busy rule` → `the-busy-rule`: the id of a heading, and the anchor of a § reference. */
export const slugOf = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');

const titleOf = (markdown: string): string => /^# (.+)$/m.exec(markdown)?.[1].trim() ?? 'ClassChat guide';
const headingsIn = (markdown: string): string[] =>
  markdown
    .split('\n')
    .filter((l) => /^#{2,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim());

/** The pages of the guide: one per stage in the manifest, then the protocol, then any other page of guide/. */
export function guidePages(): Page[] {
  const chapters: Page[] = STAGES.map((stage) => {
    const markdown = readFileSync(guideFile(stage), 'utf8');
    return { file: `${stageId(stage)}.html`, title: titleOf(markdown), markdown, stage };
  });
  const taken = new Set(STAGES.map((s) => `${stageId(s)}.md`));
  const others = readdirSync(join(kitRoot(), 'guide'))
    .filter((f) => f.endsWith('.md') && !taken.has(f))
    .sort((a, b) => (a === 'protocol.md' ? -1 : b === 'protocol.md' ? 1 : a.localeCompare(b)))
    .map((f) => {
      const markdown = readFileSync(join(kitRoot(), 'guide', f), 'utf8');
      return { file: f.replace(/\.md$/, '.html'), title: titleOf(markdown), markdown };
    });
  return [...chapters, ...others];
}

/** `guide/03-accept.md`, `03-accept.md#x` or `./protocol.md` → the page it became; others unchanged. */
export function pageHref(href: string): string {
  const m = /^(?:\.\/|\.\.\/guide\/|guide\/)?([\w-]+)\.md(#.*)?$/.exec(href);
  return m ? `${m[1]}.html${m[2] ?? ''}` : href;
}

/** One chapter's markdown → HTML, with its diagrams written into `dir/flows/`. */
function renderPage(page: Page, dir: string, diagrams: string[]): string {
  const headings = headingsIn(page.markdown).sort((a, b) => b.length - a.length);
  const sectionRef = headings.length
    ? new RegExp(`§ (${headings.map((h) => escapeHtml(h).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'g')
    : undefined;
  const base = basename(page.file, '.html');
  let figure = 0;
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading) {
        return `<h${depth} id="${slugOf(text)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
      code({ text, lang }: Tokens.Code) {
        const language = (lang ?? '').trim().split(/\s+/)[0];
        if (language === 'sequence') {
          const seq = parseSequence(text);
          const name = `${base}-${++figure}.svg`;
          writeFileSync(join(dir, 'flows', name), sequenceSvg(seq));
          diagrams.push(name);
          const alt = escapeHtml(seq.title ?? 'Message flow');
          // The description stays one click away, for screen readers and for copying.
          return `<figure class="flow"><img src="flows/${name}" alt="${alt}"><figcaption><details><summary>${alt} (as text)</summary><pre><code>${escapeHtml(text)}</code></pre></details></figcaption></figure>\n`;
        }
        const known = language && hljs.getLanguage(language) ? language : 'plaintext';
        let html = hljs.highlight(text, { language: known, ignoreIllegals: true }).value;
        // A sample report's "Read: guide/03-accept.md § The ACK line" is a link, as in a terminal.
        if (['plaintext', 'text', 'txt'].includes(known)) html = html.replace(/guide\/([\w-]+)\.md § ([^\n<]+)/g, (all, page: string, h: string) => `<a href="${page}.html#${slugOf(h)}">${all}</a>`);
        return `<pre><code class="hljs language-${escapeHtml(known)}">${html}</code></pre>\n`;
      },
      codespan({ text }: Tokens.Codespan) {
        // `guide/03-accept.md § The ACK line`, as the tests' reports print it, becomes a link.
        const m = /^guide\/([\w-]+)\.md(?: § (.+))?$/.exec(text);
        if (!m) return false;
        const href = `${m[1]}.html${m[2] ? `#${slugOf(m[2])}` : ''}`;
        return `<a href="${href}"><code>${text}</code></a>`;
      },
      link({ href, tokens, title }: Tokens.Link) {
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(pageHref(href))}"${t}>${this.parser.parseInline(tokens)}</a>`;
      },
      text(token: Tokens.Text | Tokens.Escape) {
        if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
        if (token.type !== 'text' || !sectionRef) return false;
        // "§ The busy rule" in running text links to that section of the same page.
        const html = token.escaped ? token.text : escapeHtml(token.text);
        return html.replace(sectionRef, (all, h: string) => `<a href="#${slugOf(h)}">${all}</a>`);
      },
    },
  });
  return marked.parse(page.markdown, { async: false });
}

function nav(pages: Page[], current: string): string {
  const items = pages.map((p) => {
    const label = p.stage ? `${p.stage.number}. ${p.stage.title}` : p.file === 'protocol.html' ? 'Protocol' : p.title;
    if (p.file !== current) return `<li><a href="${p.file}">${escapeHtml(label)}</a></li>`;
    // The page being read also lists its sections.
    const sections = p.markdown
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3).trim())
      .map((h) => `<li><a href="#${slugOf(h)}">${escapeHtml(h.replace(/`/g, ''))}</a></li>`);
    return `<li><a href="${p.file}" aria-current="page">${escapeHtml(label)}</a><ul class="toc">${sections.join('')}</ul></li>`;
  });
  const home = current === 'index.html' ? ' aria-current="page"' : '';
  return `<nav class="side"><a class="brand" href="index.html"${home}>ClassChat Lab</a><ol>${items.join('')}</ol></nav>`;
}

function pagerOf(pages: Page[], i: number): string {
  const prev = i > 0 ? pages[i - 1] : undefined;
  const next = pages[i + 1];
  const link = (p: Page | undefined, rel: string, arrow: string) =>
    p ? `<a rel="${rel}" href="${p.file}">${arrow} ${escapeHtml(p.title)}</a>` : '<span></span>';
  return `<footer class="pager">${link(prev, 'prev', '←')}${link(next, 'next', '→')}</footer>`;
}

function layout(title: string, body: string, sideNav: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ClassChat Lab</title>
<link rel="stylesheet" href="highlight.css">
<link rel="stylesheet" href="style.css">
</head>
<body>
${sideNav}
<main>
${body}
</main>
</body>
</html>
`;
}

function indexBody(pages: Page[]): string {
  const rows = STAGES.map((s) => {
    const page = pages.find((p) => p.stage === s);
    return `<tr><td class="num">${s.number}</td><td><a href="${page?.file}">${escapeHtml(s.title)}</a></td><td class="num">${s.task}</td><td class="num">${s.points}</td><td>${escapeHtml(s.goal)}</td><td><code>make stage-${s.number}</code></td></tr>`;
  });
  const tasks = [...new Set(STAGES.map((s) => s.task))].map((task) => {
    const stages = STAGES.filter((s) => s.task === task);
    const points = stages.reduce((a, s) => a + s.points, 0);
    const range = stages.length > 1 ? `${stages[0].number}–${stages[stages.length - 1].number}` : `${stages[0].number}`;
    return `<li>Task ${task}: stage${stages.length > 1 ? 's' : ''} ${range}, ${points} points</li>`;
  });
  const total = STAGES.reduce((a, s) => a + s.points, 0);
  return `<h1>ClassChat Lab: the guide</h1>
<p>Build the ClassChat chat server and client over real TCP sockets, one stage at a time. Each
stage has a chapter (below), starter code with <code>TODO</code> markers in <code>stages/</code>, and a graded
test suite: <code>make stage-N</code> shows the chapter and grades your code.</p>
<h2 id="stages">The stages</h2>
<table class="stages">
<thead><tr><th>Stage</th><th>Chapter</th><th>Task</th><th>Points</th><th>What you build</th><th>Grade it</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
<tfoot><tr><td></td><td>Total</td><td></td><td class="num">${total}</td><td colspan="2"></td></tr></tfoot>
</table>
<ul class="tasks">${tasks.join('')}</ul>
<h2 id="protocol">The protocol, and more</h2>
<ul>${pages
    .filter((p) => !p.stage)
    .map((p) => `<li><a href="${p.file}">${escapeHtml(p.title)}</a>${p.file === 'protocol.html' ? ': every byte on the wire, what each program prints and how it exits' : ''}</li>`)
    .join('')}</ul>
`;
}

/** Writes the site; returns its folder, pages and diagram files. Throws on a chapter that cannot render. */
export function buildSite(dir = siteDir()): Site {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'flows'), { recursive: true });
  const pages = guidePages();
  const diagrams: string[] = [];
  pages.forEach((page, i) => {
    const body = `${renderPage(page, dir, diagrams)}\n${pagerOf(pages, i)}`;
    writeFileSync(join(dir, page.file), layout(page.title, body, nav(pages, page.file)));
  });
  writeFileSync(join(dir, 'index.html'), layout('The guide', indexBody(pages), nav(pages, 'index.html')));
  writeFileSync(join(dir, 'style.css'), PAGE_STYLE);
  const require = createRequire(import.meta.url);
  copyFileSync(require.resolve('highlight.js/styles/github.css'), join(dir, 'highlight.css'));
  return { dir, pages: ['index.html', ...pages.map((p) => p.file)], diagrams };
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const site = buildSite();
  const rel = relative(kitRoot(), site.dir);
  process.stdout.write(`Wrote ${site.pages.length} pages and ${site.diagrams.length} diagrams to ${rel}/: open ${rel}/index.html in a browser.\n`);
}
