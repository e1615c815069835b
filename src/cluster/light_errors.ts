/**
 * The error a light worker meets when its server does not take it. Apart from the light member,
 * so that naming it loads no network code.
 *
 * @module
 */
import { ActantError, registerErrorClasses } from "../common/mod.ts";

/** Why a light worker could not join: its server refuses light workers, or what it registers. */
export class LightWorkerRefusedError extends ActantError {
  override name = "LightWorkerRefusedError";
  /** The server's peer id. */
  readonly server: string;
  /** Why, in words. */
  readonly reason: string;

  constructor(server: string, reason: string) {
    super("LIGHT_WORKER_REFUSED", `The server ${server} does not take this light worker: ${reason}`);
    this.server = server;
    this.reason = reason;
  }
}

registerErrorClasses({ LightWorkerRefusedError });
