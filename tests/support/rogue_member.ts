// A hand-driven cluster peer for trust tests: a libp2p node that publishes whatever announcement
// a test gives it on an app's membership topic, and may serve `/actant/exec/1` with a script.
// It runs in a browser tab too (tests/fixtures/browser_rogue_tab.ts), where it listens on nothing.
import { EXEC_PROTOCOL, type ExecReply, type ExecRequest, membershipTopic } from "../../src/cluster/mod.ts";
import { createNetNode, type NetNode } from "../../src/net/mod.ts";

/** A rogue peer joined to a cluster through `bootstrap`. */
export class RoguePeer {
  readonly node: NetNode;
  readonly #app: string;

  private constructor(node: NetNode, app: string) {
    this.node = node;
    this.#app = app;
  }

  /** Joins through `bootstrap`, listening on `listen` (default a loopback WebSocket; none in a tab). */
  static async start(
    app: string,
    bootstrap: string[],
    listen: string[] = ["/ip4/127.0.0.1/tcp/0/ws"],
  ): Promise<RoguePeer> {
    const node = await createNetNode({ pubsub: true, bootstrap, listen });
    node.subscribe(membershipTopic(app), () => {});
    return new RoguePeer(node, app);
  }

  /** A well-formed announcement of this peer, with `overrides` on top (`status` fields merged). */
  announcement(
    overrides: { status?: Record<string, unknown>; [field: string]: unknown } = {},
  ): Record<string, unknown> {
    const { status, ...rest } = overrides;
    return {
      app: this.#app,
      status: {
        peerId: this.node.peerId,
        nodeId: "rogue",
        addresses: this.node.addresses(),
        runtime: "node",
        tasks: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
        actors: 0,
        load: 0,
        uptimeMs: 1,
        ...status,
      },
      registers: { tasks: [], actors: [] },
      concurrency: 8,
      ...rest,
    };
  }

  /** Publishes `value` (JSON) on the membership topic; a failure (no subscriber yet) is ignored. */
  async publish(value: unknown): Promise<void> {
    await this.node.publish(membershipTopic(this.#app), new TextEncoder().encode(JSON.stringify(value))).catch(
      () => {},
    );
  }

  /** Serves attempts: `answer` gets each request and a function that writes replies (any, forged or not). */
  async serveExec(answer: (request: ExecRequest, reply: (message: unknown) => void) => void): Promise<void> {
    await this.node.handleChannel<ExecRequest, ExecReply>(EXEC_PROTOCOL, async (channel) => {
      const writer = channel.writable.getWriter();
      const reply = (message: unknown) => void writer.write(message as ExecReply).catch(() => {});
      for await (const request of channel.readable) answer(request, reply);
    });
  }

  stop(): Promise<void> {
    return this.node.stop();
  }
}

/** Captures `console.warn` lines until the returned function restores it. */
export function captureWarnings(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, restore: () => void (console.warn = original) };
}
