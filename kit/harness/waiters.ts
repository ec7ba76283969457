// Waiting for something to arrive (a line, a close, an exit) with a deadline: whoever receives
// data calls wake(), and each waiter checks its own condition again.

export class Waiters {
  private waiting: Array<() => void> = [];

  /** Lets every waiter check its condition again. */
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const check of waiting) check();
  }

  /** Resolves when `ready()` holds or `within` ms have passed, whichever comes first; never rejects. */
  until(ready: () => boolean, within: number): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiting = this.waiting.filter((w) => w !== check);
        resolve();
      };
      const check = (): void => {
        if (ready()) finish();
        else this.waiting.push(check);
      };
      const timer = setTimeout(finish, within);
      this.waiting.push(check);
    });
  }
}
