/** Runs async tasks one at a time, in call order; a failed task does not block the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queue `task` behind every task queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
