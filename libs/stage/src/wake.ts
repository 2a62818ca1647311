/** A reusable wake-up: every pending `wait()` resolves on the next `notify()` or its own timeout. */
export class Wake {
  private waiters = new Set<() => void>();

  notify(): void {
    if (this.waiters.size === 0) return;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve();
  }

  wait(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (timeoutMs === undefined) {
        this.waiters.add(resolve);
        return;
      }
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve();
      }, Math.max(0, timeoutMs));
      this.waiters.add(waiter);
    });
  }
}
