// What the mutants must cover: every bullet of a chapter's "## Common mistakes" ("mistake 3" of
// that stage) and every numbered item under a "## The server, rule by rule"-style heading of
// guide/protocol.md ("server rule 6"), read from the markdown so a new bullet is a new duty.

export interface Duty {
  /** The id a mutant lists in `covers`, e.g. `mistake 3` or `server rule 6`. */
  id: string;
  /** The bullet's or rule's text, on one line (for the report). */
  text: string;
}

/** The lines of the `## <title>` section (up to the next `## ` heading), or [] when absent. */
function section(md: string, heading: RegExp): Array<{ title: string; lines: string[] }> {
  const found: Array<{ title: string; lines: string[] }> = [];
  let current: { title: string; lines: string[] } | undefined;
  let fenced = false;
  for (const line of md.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const h2 = fenced ? null : /^## (.+?)\s*$/.exec(line);
    if (h2) {
      current = heading.test(h2[1]) ? { title: h2[1], lines: [] } : undefined;
      if (current) found.push(current);
    } else if (current) {
      current.lines.push(fenced ? '' : line);
    }
  }
  return found;
}

/** Top-level list items of `lines` whose marker matches `marker`, continuation lines joined. */
function items(lines: string[], marker: RegExp): string[] {
  const out: string[] = [];
  let open = false;
  for (const line of lines) {
    const m = marker.exec(line);
    if (m) {
      out.push(line.slice(m[0].length).trim());
      open = true;
    } else if (open && /^\s+\S/.test(line)) {
      out[out.length - 1] += ` ${line.trim()}`;
    } else if (line.trim() === '' || /^\S/.test(line)) {
      open = false;
    }
  }
  return out;
}

/** The bullets of a chapter's `## Common mistakes`, as `mistake 1`, `mistake 2`, … */
export function commonMistakes(md: string): Duty[] {
  const found = section(md, /^Common mistakes$/i)[0];
  return found ? items(found.lines, /^[-*] /).map((text, i) => ({ id: `mistake ${i + 1}`, text })) : [];
}

/** Every numbered item under a `## … rule by rule` heading: `## The server, rule by rule` → `server rule N`. */
export function protocolRules(md: string): Duty[] {
  return section(md, /, rule by rule$/i).flatMap(({ title, lines }) => {
    const key = title.replace(/^The /i, '').replace(/, rule by rule$/i, '').trim().toLowerCase();
    return items(lines, /^\d+\. /).map((text, i) => ({ id: `${key} rule ${i + 1}`, text }));
  });
}

/** One line of a duty's text for a table: its first sentence, cut to `max` characters. */
export function shortText(text: string, max = 70): string {
  const first = /^(.+?\.)(\s|$)/.exec(text)?.[1] ?? text;
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
