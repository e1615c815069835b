/**
 * Worker mode: a local app given `listen` or `bootstrap` joins its cluster when it starts, once
 * its log is read (so recovered work is placed across the cluster, not only here).
 *
 * @module
 */
import type { WorkerAppOptions } from "./app_options.ts";
import { LocalEngine } from "./local_engine.ts";

/** The engine of an app built with `{ listen, bootstrap }`. */
export class WorkerEngine extends LocalEngine {
  readonly #cluster: Pick<WorkerAppOptions, "listen" | "bootstrap" | "secret">;

  constructor(name: string, options: WorkerAppOptions) {
    super(name, options);
    const { listen, bootstrap, secret } = options;
    this.#cluster = { listen, bootstrap, secret };
  }

  protected override get joinsAtStart(): boolean {
    return true;
  }

  protected override async afterRecovery(): Promise<void> {
    await this.joinNow(this.#cluster);
  }
}
