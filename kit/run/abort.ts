// Ctrl-C (or SIGTERM) during `make stage-N` or `make grade`: every running suite is killed and
// swept before the kit exits, so nothing a student's code started outlives the command.

type Stopper = () => void;

const stoppers = new Set<Stopper>();
let abortedBy: NodeJS.Signals | undefined;

/** Registers how to stop one running thing; returns the function that unregisters it. */
export function onAbort(stop: Stopper): () => void {
  stoppers.add(stop);
  return () => stoppers.delete(stop);
}

/** The signal that aborted the command, if one did; long loops check it before starting more work. */
export const aborted = (): NodeJS.Signals | undefined => abortedBy;

/** Installs the handlers; the command then ends on its own once its runs have been stopped. */
export function stopRunsOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      abortedBy = signal;
      process.exitCode = signal === 'SIGINT' ? 130 : 143;
      for (const stop of stoppers) stop();
    });
  }
}
