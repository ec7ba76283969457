// Editors save in bursts: vim writes a test file "4913", renames the original to "file~" and
// writes a new file; others write "file.tmp" and rename it over the original (an atomic save);
// emacs leaves ".#file" locks. One save must grade once, after the burst, and only for a file
// that is code.
import { watch, type FSWatcher } from 'node:fs';

/** True for the temporary, backup and lock files editors make around a save. */
export function isEditorNoise(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return (
    /^\d+$/.test(base) || // vim's write test (4913, 5036, …)
    /\.s[a-w][a-z]$/.test(base) || // vim swap files (.swp, .swo, …, and its .swx probe)
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

/**
 * Watches a folder (Node's fs.watch: inotify on Linux, no polling) and calls `onSave` once per
 * burst of code changes, with the file last touched and when the burst began. The folder is
 * watched rather than its files, so a save that renames a new file over the old one is seen.
 */
export function watchSaves(folder: string, onSave: (file: string | undefined, startedAt: number) => void, quietMs: number): FSWatcher {
  let startedAt: number | undefined;
  let last: string | undefined;
  const fire = debounce(() => {
    const at = startedAt ?? Date.now();
    startedAt = undefined;
    onSave(last, at);
  }, quietMs);
  const watcher = watch(folder, (_event, name) => {
    const file = name?.toString() ?? null;
    if (!isCodeChange(file)) return;
    startedAt ??= Date.now();
    last = file ?? undefined;
    fire.trigger();
  });
  watcher.on('close', () => fire.cancel());
  return watcher;
}
