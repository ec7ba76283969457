// Editors save in bursts: vim writes a test file "4913", renames the original to "file~" and
// writes a new file; others write "file.tmp" and rename it over the original (an atomic save);
// emacs leaves ".#file" locks. One save must grade once, after the burst, and only for a file
// that is code.

/** True for the temporary, backup and lock files editors make around a save. */
export function isEditorNoise(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return (
    /^\d+$/.test(base) || // vim's write test (4913, 5036, …)
    /\.sw[a-p]x?$/.test(base) || // vim swap files
    /~$/.test(base) || // backups
    /^\.#/.test(base) || /^#.*#$/.test(base) || // emacs locks and auto-saves
    /\.(tmp|temp|bak|orig)$/i.test(base) ||
    /___jb_(tmp|old)___$/.test(base) || // JetBrains safe write
    /\.tmp\.\d+/.test(base) ||
    /^\.DS_Store$/.test(base)
  );
}

/** True for a change that should grade again: a TypeScript source, not an editor's side file. */
export const isCodeChange = (name: string | null): boolean => !name || (!isEditorNoise(name) && /\.(ts|mts|js|mjs|json)$/.test(name));

export interface Debounced {
  /** Another event of the burst: the call waits until `quietMs` pass without one. */
  trigger(): void;
  cancel(): void;
}

/** Calls `fn` once, `quietMs` after the last trigger of a burst. */
export function debounce(fn: () => void, quietMs: number): Debounced {
  let timer: NodeJS.Timeout | undefined;
  return {
    trigger() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        fn();
      }, quietMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
