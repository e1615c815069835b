/**
 * The runs a scheduler has not finished, as a list threaded through the runs themselves
 * (`prevLive`/`nextLive`): adding and removing one costs the same with a million queued.
 *
 * @module
 */
import type { TaskRun } from "./task_run.ts";

/** Unfinished runs, newest first. */
export class LiveRuns implements Iterable<TaskRun> {
  #head: TaskRun | undefined;

  /** The newest unfinished run, if any. */
  get first(): TaskRun | undefined {
    return this.#head;
  }

  add(run: TaskRun): void {
    run.nextLive = this.#head;
    if (this.#head !== undefined) this.#head.prevLive = run;
    this.#head = run;
  }

  remove(run: TaskRun): void {
    if (run.prevLive !== undefined) run.prevLive.nextLive = run.nextLive;
    else if (this.#head === run) this.#head = run.nextLive;
    if (run.nextLive !== undefined) run.nextLive.prevLive = run.prevLive;
    run.prevLive = run.nextLive = undefined;
  }

  *[Symbol.iterator](): Iterator<TaskRun> {
    for (let run = this.#head; run !== undefined; run = run.nextLive) yield run;
  }
}
