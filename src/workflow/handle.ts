/**
 * The handle of a submitted workflow.
 *
 * @module
 */
import type { Clock, Encoded } from "../common/mod.ts";
import { EncodedResultHandle, type RunStatus } from "../task/mod.ts";
import type { WorkflowRun } from "./executor.ts";

/** What `app.submit(workflow)` returns: awaitable, with `get`, `id`, `status` and `cancel`. */
export class WorkflowHandle<T> extends EncodedResultHandle<T> {
  readonly id: string;
  protected readonly clock: Clock;
  readonly #run: WorkflowRun;

  constructor(run: WorkflowRun, clock: Clock) {
    super();
    this.id = run.id;
    this.#run = run;
    this.clock = clock;
  }

  /** The compiled graph this workflow runs. */
  get graph(): WorkflowRun["graph"] {
    return this.#run.graph;
  }

  protected outcome(): Promise<Encoded> {
    return this.#run.outcome();
  }

  status(): Promise<RunStatus> {
    return Promise.resolve(this.#run.status);
  }

  cancel(): Promise<boolean> {
    return Promise.resolve(this.#run.cancel());
  }
}
