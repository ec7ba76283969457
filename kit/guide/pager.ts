// Long text for a person at a terminal goes through a pager (`less -R`, which keeps the colours);
// piped, redirected, or without less, it is printed as it is.
import { spawnSync } from 'node:child_process';

/** Shows `text` in `less -R` on a terminal; prints it plainly otherwise. */
export function page(text: string): void {
  if (process.stdout.isTTY && process.stdin.isTTY && process.env.CLASSCHAT_PAGER !== '0') {
    // -R: pass colour codes through; -F: quit at once when the text fits on one screen.
    const less = spawnSync('less', ['-R', '-F'], { input: text, stdio: ['pipe', 'inherit', 'inherit'] });
    if (!less.error) return;
  }
  process.stdout.write(text);
}
