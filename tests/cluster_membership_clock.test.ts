// Membership, failure detection, reachability probes and bootstrap retries on the ManualClock:
// time moves only when the test advances it, so "gone after failAfterMs and not before" is
// checked exactly, without sleeping. Membership runs over a fake pubsub (its node use is narrow);
// tests/cluster_clock_inprocess.test.ts runs the same over real libp2p.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Connection, Libp2p } from "@libp2p/interface";
import { ManualClock } from "../src/common/mod.ts";
import {
  type MemberAnnouncement,
  Membership,
  type MembershipChange,
  type MembershipNode,
  membershipTopic,
} from "../src/cluster/mod.ts";
import { PROBE_INITIAL_MS, PROBE_MAX_MS, Reachability } from "../src/cluster/membership/reachability.ts";
import { dialBootstrap } from "../src/net/bootstrap.ts";
import {
  type ConnectionInfo,
  generateKey,
  type NetNodeEventMap,
  parsePeerAddress,
  peerIdOfKey,
  type PubsubMessage,
} from "../src/net/mod.ts";
import { settle } from "./support/async.ts";

const APP = "clocked";
const HEARTBEAT_MS = 100;
const FAIL_AFTER_MS = 350;

type Listener = (message: PubsubMessage) => void;

/** Peers on one fake pubsub: every publication reaches every other subscriber, a microtask later. */
class FakeBus {
  readonly nodes: FakeNode[] = [];

  deliver(topic: string, message: PubsubMessage): void {
    for (const node of this.nodes) {
      if (node.peerId !== message.from) queueMicrotask(() => node.receive(topic, message));
    }
  }
}

/** The part of a NetNode membership uses, on a {@linkcode FakeBus}. */
class FakeNode implements MembershipNode {
  readonly peerId: string;
  /** Publications this node made on the membership topic. */
  published = 0;
  /** While set, this node's publications are lost (it is silent, though still connected). */
  muted = false;
  /** Whether the peers' pings to this node are answered (a frozen tab answers none). */
  answersPings = true;
  /** Pings other nodes sent to this one. */
  pinged = 0;
  readonly #bus: FakeBus;
  readonly #events = new EventTarget();
  readonly #subscribers = new Map<string, Set<Listener>>();

  constructor(bus: FakeBus, peerId: string) {
    this.#bus = bus;
    this.peerId = peerId;
    bus.nodes.push(this);
  }

  peers(): string[] {
    return this.#bus.nodes.map((node) => node.peerId).filter((peerId) => peerId !== this.peerId);
  }

  /** Every other node, as over WebSocket. */
  connections(): ConnectionInfo[] {
    return this.peers().map((peerId) => ({ peerId, transport: "websocket", address: "", direction: "outbound" }));
  }

  closeRelayed(): Promise<void> {
    return Promise.resolve();
  }

  /** A ping of `target`: answered at once, or, if it answers none, failing when `signal` aborts. */
  ping(target: string, options?: { signal?: AbortSignal }): Promise<number> {
    const node = this.#bus.nodes.find((candidate) => candidate.peerId === target)!;
    node.pinged++;
    if (node.answersPings) return Promise.resolve(1);
    return new Promise((_, reject) => options?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
  }

  dial(): Promise<Connection> {
    return Promise.reject(new Error("a fake node dials nobody: every peer is connected already"));
  }

  publish(topic: string, data: Uint8Array): Promise<void> {
    if (topic === membershipTopic(APP)) this.published++;
    if (!this.muted) this.#bus.deliver(topic, { data, from: this.peerId });
    return Promise.resolve();
  }

  subscribe(topic: string, listener: Listener): () => void {
    let listeners = this.#subscribers.get(topic);
    if (listeners === undefined) this.#subscribers.set(topic, listeners = new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  receive(topic: string, message: PubsubMessage): void {
    for (const listener of this.#subscribers.get(topic) ?? []) listener(message);
  }

  addEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void {
    this.#events.addEventListener(type, listener as EventListener);
  }

  removeEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void {
    this.#events.removeEventListener(type, listener as EventListener);
  }
}

function announcement(node: FakeNode, nodeId: string, light = false): () => MemberAnnouncement {
  return () => ({
    ...(light ? { light: true } : {}),
    app: APP,
    status: {
      peerId: node.peerId,
      nodeId,
      addresses: [],
      runtime: "fake",
      tasks: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      actors: 0,
      load: 0,
      uptimeMs: 0,
    },
    registers: { tasks: [], actors: [] },
    concurrency: null,
  });
}

/** Two members, a and b, on one fake bus and one manual clock, each recording its changes; b light with `lightB`. */
function pair(lightB = false) {
  const clock = new ManualClock();
  const bus = new FakeBus();
  const make = (peerId: string, light = false) => {
    const node = new FakeNode(bus, peerId);
    const membership = new Membership(node, APP, announcement(node, peerId, light), {
      heartbeatMs: HEARTBEAT_MS,
      failAfterMs: FAIL_AFTER_MS,
      clock,
      warn: () => {},
    });
    const changes: MembershipChange[] = [];
    membership.onChange((change) => changes.push(change));
    return { node, membership, changes };
  };
  return { clock, a: make("peer-a"), b: make("peer-b", lightB) };
}

describe("membership on the manual clock", () => {
  it("sends a heartbeat every heartbeatMs of the clock, and none while the clock stands still", async () => {
    const { clock, a } = pair();
    a.membership.start();
    assert.equal(a.node.published, 1, "the announcement at start");
    await settle();
    assert.equal(a.node.published, 1, "no heartbeat while the clock does not move");
    await clock.advance(HEARTBEAT_MS - 1);
    assert.equal(a.node.published, 1, "none before heartbeatMs");
    await clock.advance(1);
    assert.equal(a.node.published, 2, "one at heartbeatMs");
    await clock.advance(HEARTBEAT_MS * 5);
    assert.equal(a.node.published, 7, "one per heartbeatMs since");
    await a.membership.stop();
    assert.equal(a.node.published, 8, "the leaving announcement");
    assert.equal(clock.pending, 0, "stop() left no heartbeat timer");
  });

  it("keeps a member that heartbeats, however long the clock runs", async () => {
    const { clock, a, b } = pair();
    a.membership.start();
    b.membership.start();
    await clock.advance(FAIL_AFTER_MS * 20);
    assert.deepEqual(a.membership.members().map((member) => member.peerId), ["peer-b"]);
    assert.deepEqual(b.membership.members().map((member) => member.peerId), ["peer-a"]);
    assert.equal(a.changes.filter((change) => change.kind === "left").length, 0);
    await a.membership.stop();
    await b.membership.stop();
  });

  it("takes a silent member as gone after failAfterMs and not before, and back when it heartbeats again", async () => {
    const { clock, a, b } = pair();
    a.membership.start();
    b.membership.start();
    await clock.advance(HEARTBEAT_MS);
    assert.ok(a.membership.get("peer-b") !== undefined, "a heard b");
    const heardAt = a.membership.get("peer-b")!.lastSeen;
    assert.equal(heardAt, clock.now(), "b's last heartbeat reached a at this instant of the clock");

    b.node.muted = true; // still connected (no disconnect event), only silent
    await clock.advance(FAIL_AFTER_MS);
    assert.ok(a.membership.get("peer-b") !== undefined, "still a member failAfterMs after its last heartbeat");
    assert.equal(a.changes.filter((change) => change.kind === "left").length, 0);

    // The first heartbeat tick of a's past the bound finds b silent for longer than failAfterMs.
    await clock.advance(HEARTBEAT_MS);
    assert.equal(a.membership.get("peer-b"), undefined, "gone within failAfterMs + heartbeatMs");
    const left = a.changes.filter((change) => change.kind === "left");
    assert.equal(left.length, 1);
    assert.equal(left[0].kind === "left" && left[0].peerId, "peer-b");
    assert.match(left[0].kind === "left" ? left[0].reason : "", /no heartbeat/);
    assert.ok(b.membership.get("peer-a") !== undefined, "b, which still hears a, keeps it");

    b.node.muted = false;
    const joinedBefore = a.changes.filter((change) => change.kind === "joined").length;
    await clock.advance(HEARTBEAT_MS);
    assert.ok(a.membership.get("peer-b") !== undefined, "back at its next heartbeat");
    assert.equal(a.changes.filter((change) => change.kind === "joined").length, joinedBefore + 1);
    assert.equal(a.changes.at(-1)?.kind, "joined");

    await a.membership.stop();
    await b.membership.stop();
    assert.equal(clock.pending, 0);
  });
});

describe("a light worker's liveness on the manual clock", () => {
  it("is judged by pings, not by its heartbeats: silent but answering, it stays; not answering, it goes", async () => {
    const { clock, a, b } = pair(true);
    a.membership.start();
    b.membership.start();
    await clock.advance(HEARTBEAT_MS);
    assert.ok(a.membership.get("peer-b")?.announcement.light, "a heard the light worker b");

    b.node.muted = true; // a background tab: its timers (and heartbeats) throttled, its connection alive
    await clock.advance(FAIL_AFTER_MS * 10);
    assert.ok(a.membership.get("peer-b") !== undefined, "a silent light worker that answers pings stays");
    assert.ok(b.node.pinged >= 1, "a pinged it");
    assert.equal(a.changes.filter((change) => change.kind === "left").length, 0);

    b.node.answersPings = false; // frozen: nothing runs in the tab any more
    const pingedBefore = b.node.pinged;
    await clock.advance(HEARTBEAT_MS); // the tick past the bound sends a ping…
    assert.equal(b.node.pinged, pingedBefore + 1);
    await clock.advance(FAIL_AFTER_MS - 1);
    assert.ok(a.membership.get("peer-b") !== undefined, "not gone while its ping may still be answered");
    await clock.advance(1); // …that goes unanswered for failAfterMs
    assert.equal(a.membership.get("peer-b"), undefined);
    const left = a.changes.filter((change) => change.kind === "left");
    assert.equal(left.length, 1);
    assert.match(left[0].kind === "left" ? left[0].reason : "", /no answer to a ping/);

    await a.membership.stop();
    await b.membership.stop();
    assert.equal(clock.pending, 0);
  });
});

/** The upper bound of the k-th delay (k from 1) of a backoff doubling from `initial` up to `max`; jitter takes half. */
function bound(k: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** (k - 1));
}

/** Gaps between `times`, the first from `start`. */
function gaps(start: number, times: readonly number[]): number[] {
  return times.map((time, i) => time - (i === 0 ? start : times[i - 1]));
}

describe("reachability probes on the manual clock", () => {
  it("probes a failed member with a growing, capped backoff, reset only when it answers an attempt", async () => {
    const clock = new ManualClock();
    const pings: number[] = [];
    let reachable = false;
    const back: string[] = [];
    const reachability = new Reachability({
      ping: () => {
        pings.push(clock.now());
        return reachable ? Promise.resolve(1) : Promise.reject(new Error("unreachable"));
      },
    }, { clock, isMember: () => true, onBack: (peerId) => back.push(peerId) });

    reachability.failed("peer-x");
    assert.equal(reachability.usable("peer-x"), false);
    await settle();
    assert.equal(pings.length, 0, "no probe until the clock moves");
    await clock.advance(60_000);
    assert.ok(pings.length >= 8, `probed past the cap (${pings.length} probes)`);
    gaps(0, pings).forEach((gap, i) => {
      const max = bound(i + 1, PROBE_INITIAL_MS, PROBE_MAX_MS);
      assert.ok(
        gap >= max / 2 && gap <= max,
        `probe ${i + 1} came ${gap} ms after the one before, in [${max / 2}, ${max}]`,
      );
    });
    assert.equal(reachability.usable("peer-x"), false);

    reachable = true;
    await clock.advance(PROBE_MAX_MS);
    assert.deepEqual(back, ["peer-x"]);
    assert.equal(reachability.usable("peer-x"), true);

    // Failing again soon after: the streak goes on, so the first probe waits as long as the last ones.
    reachable = false;
    let from = clock.now();
    let before = pings.length;
    reachability.failed("peer-x");
    await clock.advance(PROBE_MAX_MS);
    assert.ok(pings.length > before);
    assert.ok(pings[before] - from >= PROBE_MAX_MS / 2, "no fresh backoff for a member that did not answer");

    // An answered attempt resets it: the next failure is probed after the initial delay.
    reachable = true;
    await clock.advance(PROBE_MAX_MS);
    assert.equal(reachability.usable("peer-x"), true);
    reachability.answered("peer-x");
    reachable = false;
    from = clock.now();
    before = pings.length;
    reachability.failed("peer-x");
    await clock.advance(PROBE_INITIAL_MS);
    assert.equal(pings.length, before + 1);
    assert.ok(pings[before] - from <= PROBE_INITIAL_MS);

    reachability.close();
    assert.equal(clock.pending, 0, "close() cancelled the probe timer");
  });

  it("probes a member first heard of through others at once (at the clock's present)", async () => {
    const clock = new ManualClock();
    const pings: number[] = [];
    const reachability = new Reachability({
      ping: () => {
        pings.push(clock.now());
        return Promise.resolve(1);
      },
    }, { clock, isMember: () => true, onBack: () => {} });
    reachability.unproven("peer-y");
    assert.equal(reachability.usable("peer-y"), false);
    await clock.advance(0);
    assert.deepEqual(pings, [0]);
    assert.equal(reachability.usable("peer-y"), true);
  });
});

describe("bootstrap retries on the manual clock", () => {
  const retry = { attempts: 5, initialMs: 100, maxMs: 400, withinMs: 60_000 };
  /** What dialBootstrap reads of libp2p: the peer store it tags the peers in, and whether it still runs. */
  const libp2p = { status: "started", peerStore: { merge: () => Promise.resolve() } } as unknown as Pick<
    Libp2p,
    "peerStore" | "status"
  >;

  it("dials again after each backoff delay of the clock, and gives up after the last round", async () => {
    const clock = new ManualClock();
    const address = parsePeerAddress(`/ip4/127.0.0.1/tcp/9/ws/p2p/${peerIdOfKey(await generateKey())}`);
    const rounds: number[] = [];
    const joined = dialBootstrap(libp2p, [address], {
      retry,
      clock,
      dial: () => {
        rounds.push(clock.now());
        return Promise.reject(new Error("connection refused"));
      },
    });
    let failure: unknown;
    joined.catch((error) => failure = error);
    await settle();
    assert.equal(rounds.length, 1, "the first round at once, no second until the clock moves");
    await clock.advance(10_000);
    assert.equal(rounds.length, retry.attempts);
    gaps(rounds[0], rounds.slice(1)).forEach((gap, i) => {
      const max = bound(i + 1, retry.initialMs, retry.maxMs);
      assert.ok(
        gap >= max / 2 && gap <= max,
        `round ${i + 2} came ${gap} ms after the one before, in [${max / 2}, ${max}]`,
      );
    });
    assert.equal((failure as { code?: string })?.code, "PEER_UNREACHABLE");
    assert.equal(clock.pending, 0);
  });

  it("starts no round later than withinMs of the clock after the first", async () => {
    const clock = new ManualClock();
    const address = parsePeerAddress(`/ip4/127.0.0.1/tcp/9/ws/p2p/${peerIdOfKey(await generateKey())}`);
    const rounds: number[] = [];
    const joined = dialBootstrap(libp2p, [address], {
      retry: { attempts: 1_000, initialMs: 100, maxMs: 400, withinMs: 1_000 },
      clock,
      dial: () => {
        rounds.push(clock.now());
        return Promise.reject(new Error("connection refused"));
      },
    });
    let failure: unknown;
    joined.catch((error) => failure = error);
    await clock.advance(10_000);
    assert.equal((failure as { code?: string })?.code, "PEER_UNREACHABLE");
    assert.ok(rounds.length > 2 && rounds.length < 1_000, `${rounds.length} rounds`);
    assert.ok(rounds.every((time) => time - rounds[0] <= 1_000), "every round within withinMs of the first");
  });
});
