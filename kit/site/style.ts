// The web guide's style sheet: a readable column of text, a chapter list beside it on wide
// screens and above it on narrow ones, tables and code that scroll instead of overflowing.
export const PAGE_STYLE = `
:root { --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--text); background: #fff; display: flex; align-items: flex-start;
  font: 1rem/1.6 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
nav.side { flex: 0 0 15rem; align-self: stretch; min-height: 100vh;
  padding: 1.5rem 1rem; border-right: 1px solid var(--line); background: #fafbfc; font-size: .92rem; }
nav.side .brand { display: block; font-weight: 700; font-size: 1.1rem; color: var(--text); margin-bottom: 1rem; }
nav.side ol { list-style: none; margin: 0; padding: 0; position: sticky; top: 1rem; }
nav.side li a { display: block; padding: .3rem .5rem; border-radius: 6px; color: var(--text); }
nav.side a[aria-current="page"] { background: #ddf4ff; color: var(--accent); font-weight: 600; }
nav.side ul.toc { list-style: none; margin: .2rem 0 .5rem .6rem; padding: 0 0 0 .5rem; border-left: 2px solid var(--line); font-size: .85rem; }
nav.side ul.toc a { padding: .15rem .5rem; color: var(--muted); }
main { flex: 1 1 auto; min-width: 0; max-width: 54rem; padding: 1.5rem 2.5rem 3rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: .5rem 0 1rem; padding-bottom: .3em; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.45rem; margin: 2rem 0 .75rem; padding-bottom: .25em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
code { font: .875em/1.45 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  background: rgba(175, 184, 193, .2); padding: .1em .35em; border-radius: 5px; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; }
pre code, pre code.hljs { background: none; padding: 0; font-size: .85rem; }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; font-size: .93rem; }
th, td { border: 1px solid var(--line); padding: .4rem .7rem; text-align: left; vertical-align: top; }
th { background: var(--code-bg); font-weight: 600; }
tr:nth-child(2n) td { background: #fbfcfd; }
table.stages td code { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; }
ul.tasks { color: var(--muted); }
figure.flow { margin: 1.25rem 0; }
figure.flow img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figure.flow figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
figure.flow summary { cursor: pointer; }
footer.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); }
@media (max-width: 52rem) {
  body { display: block; }
  nav.side { min-height: 0; border-right: 0; border-bottom: 1px solid var(--line); }
  nav.side ol { display: flex; flex-wrap: wrap; gap: .25rem; position: static; }
  nav.side ul.toc { display: none; }
  main { padding: 1rem; }
}
`;
