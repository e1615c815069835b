/**
 * Waiting for a node that runs WebRTC to become dialable: its `/p2p-circuit/webrtc` address
 * appears once a relay it is connected to has taken its reservation.
 *
 * @module
 */
import { type Clock, systemClock } from "../common/mod.ts";
import type { NetNode } from "./net_node.ts";

/** Whether `address` is one other peers dial over WebRTC. */
export function isWebRtcAddress(address: string): boolean {
  return /\/webrtc(\/|$)/.test(address);
}

/**
 * The node's first WebRTC address, once it has one; `undefined` if none appears within
 * `withinMs` (no relay among its peers took a reservation).
 */
export function webRtcAddress(
  node: NetNode,
  withinMs: number,
  clock: Clock = systemClock,
): Promise<string | undefined> {
  const now = node.addresses().find(isWebRtcAddress);
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = (address: string | undefined) => {
      node.libp2p.removeEventListener("self:peer:update", check);
      timer.cancel();
      resolve(address);
    };
    const check = () => {
      const address = node.addresses().find(isWebRtcAddress);
      if (address !== undefined) done(address);
    };
    const timer = clock.setTimeout(() => done(undefined), withinMs);
    node.libp2p.addEventListener("self:peer:update", check);
  });
}
