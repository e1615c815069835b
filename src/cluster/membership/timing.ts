/**
 * The membership's default timing, on its own so that the app's options can name it without
 * loading the cluster (and libp2p) in local mode.
 *
 * @module
 */

/** Default time between two heartbeats of a member, in ms. */
export const DEFAULT_HEARTBEAT_MS = 1_000;

/** Default silence after which a member is taken as gone, in ms. */
export const DEFAULT_FAIL_AFTER_MS = 3_500;
