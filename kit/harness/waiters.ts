// Waiting for something to arrive (a line, a close, an exit) with a deadline: whoever receives
// data calls wake(), and each waiter checks its own condition again. The deadline stretches on a
// busy machine (patience.ts): it decides only that nothing came.
import { patientTimer } from './patience.ts';

export class Waiters {
  private waiting: Array<() => void> = [];

  /** Lets every waiter check its condition again. */
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const check of waiting) check();
  }

  /**
   * Resolves when `ready()` holds or `within` ms of silence have passed (more on a busy machine),
   * whichever comes first, with the milliseconds waited; never rejects.
   */
  until(ready: () => boolean, within: number): Promise<number> {
    if (ready()) return Promise.resolve(0);
    const start = Date.now();
    return new Promise((resolve) => {
      const finish = (): void => {
        cancel();
        this.waiting = this.waiting.filter((w) => w !== check);
        resolve(Date.now() - start);
      };
      const check = (): void => {
        if (ready()) finish();
        else this.waiting.push(check);
      };
      const cancel = patientTimer(within, finish);
      this.waiting.push(check);
    });
  }
}
