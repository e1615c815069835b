/**
 * The request/answer loop every Actant protocol serves: read a message, hand it to the protocol,
 * answer it (now or when its work settles), refuse it on its own when it is bad, stop reading while
 * answers cannot go out, and end our side only after every answer went out. It runs over any
 * readable/writable pair, a channel or an in-process {@linkcode messagePipe}, so a protocol's
 * logic can be tested, and fuzzed, without a network.
 *
 * @module
 */
import type { MessageEnd, Outgoing } from "./channel.ts";
import { EncodedBatch, EncodedMessage } from "./encoded_message.ts";
import { MessageSender } from "./message_sender.ts";

/** How a piece of work ended. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** What a protocol answers with. */
export interface Answers<Out> {
  /** Sends `message` now. */
  send(message: Out): void;
  /**
   * Sends `reply(outcome)` once `work` settles (nothing when it gives `undefined`: the message
   * was answered some other way); our side ends only after it went out.
   */
  answer<T>(work: Promise<T>, reply: (outcome: Outcome<T>) => Out | undefined): void;
}

/** A protocol as the loop serves it. */
export interface ServedProtocol<In, Out> {
  /** Handles one message from the peer; throwing answers it with {@linkcode refuse}. */
  handle(message: In, answers: Answers<Out>): void;
  /** The answer to a message {@linkcode handle} threw on (untrusted: it may be anything). */
  refuse(message: unknown, error: unknown): Out;
  /** What to send instead of an answer that cannot be encoded (too big for a frame, not serializable). */
  unsendable(message: Out, error: Error): Out | undefined;
  /** The peer ended its side, or the channel broke: runs before the last answers are awaited. */
  ended?(): void;
  /**
   * Whether `answer` was built of plain JSON data alone (ids and encoded values), so that it is
   * sent as its JSON text without being walked first (see `encodeJsonMessage`). Default: never.
   */
  isPlainJson?(answer: Out): boolean;
}

/** A protocol being served on one end. */
export interface Serving<Out> extends Answers<Out> {
  /** Settles once the peer ended, every answer went out and our side ended (or the channel broke). */
  readonly done: Promise<void>;
}

/**
 * Serves `protocol` on `end` until the peer ends its side; see the module doc.
 *
 * @example
 * ```ts
 * const [client, server] = messagePipe<number, number>();
 * serveMessages(server, {
 *   handle: (n, answers) => answers.answer(Promise.resolve(n * 2), (o) => (o.ok ? o.value : -1)),
 *   refuse: () => -1,
 *   unsendable: () => -1,
 * });
 * const writer = client.writable.getWriter();
 * await writer.write(21);
 * await writer.close();
 * for await (const answer of client.readable) console.log(answer); // 42
 * ```
 */
export function serveMessages<In, Out>(end: MessageEnd<In, Out>, protocol: ServedProtocol<In, Out>): Serving<Out> {
  const sender = new MessageSender<Out>(end.writable, {
    refused: (message, error) => protocol.unsendable(message, error),
  });
  let outstanding = 0;
  let allAnswered: (() => void) | undefined;
  const plain = protocol.isPlainJson;
  const answers: Answers<Out> = {
    send: (message) => sender.send(message, plain?.(message) ?? false),
    answer<T>(work: Promise<T>, reply: (outcome: Outcome<T>) => Out | undefined) {
      outstanding++;
      // One reaction per answer (a busy owner answers tens of thousands a second).
      const settle = (outcome: Outcome<T>) => {
        try {
          const message = reply(outcome);
          if (message !== undefined) sender.send(message, plain?.(message) ?? false);
        } finally {
          if (--outstanding === 0) allAnswered?.();
        }
      };
      work.then((value) => settle({ ok: true, value }), (error: unknown) => settle({ ok: false, error }));
    },
  };
  const done = (async () => {
    try {
      // A reader rather than `for await`: the async iterator adds promises per message.
      const reader = end.readable.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const message = next.value;
        try {
          protocol.handle(message, answers);
        } catch (error) {
          // One bad message gets its own answer; the channel and the rest go on.
          answers.send(protocol.refuse(message, error));
        }
        // Answers go out as fast as the peer takes them: stop reading while they cannot.
        if (!sender.hasRoom) await sender.ready();
      }
    } catch {
      // A broken channel ends serving like a closed one.
    }
    protocol.ended?.();
    if (outstanding > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    await sender.close().catch(() => {});
  })();
  return { ...answers, done };
}

/** One end of a {@linkcode messagePipe}. */
export interface PipeEnd<In, Out> extends MessageEnd<In, Out> {
  /** Fails both directions at once, as a reset stream does: reads and writes on both ends fail with `reason`. */
  abort(reason?: unknown): void;
}

/**
 * Two connected in-process ends: what one writes, the other reads, as the same values (a
 * message encoded for a channel is handed on as the value it encodes).
 */
export function messagePipe<A, B>(): [PipeEnd<B, A>, PipeEnd<A, B>] {
  const aToB = valuePipe<A>();
  const bToA = valuePipe<B>();
  const abort = (reason?: unknown) => {
    aToB.fail(reason);
    bToA.fail(reason);
  };
  return [
    { readable: bToA.stream.readable, writable: aToB.stream.writable, abort },
    { readable: aToB.stream.readable, writable: bToA.stream.writable, abort },
  ];
}

function valuePipe<T>(): { stream: TransformStream<Outgoing<T>, T>; fail(reason: unknown): void } {
  let controller!: TransformStreamDefaultController<T>;
  const stream = new TransformStream<Outgoing<T>, T>({
    start: (c) => void (controller = c),
    transform: (chunk, c) => {
      if (chunk instanceof EncodedBatch) { for (const message of chunk.messages) c.enqueue(message.value); }
      else c.enqueue(chunk instanceof EncodedMessage ? chunk.value : chunk);
    },
  });
  return {
    stream,
    fail(reason) {
      try {
        controller.error(reason instanceof Error ? reason : new Error(String(reason ?? "the pipe was aborted")));
      } catch {
        // errored or closed already
      }
    },
  };
}
