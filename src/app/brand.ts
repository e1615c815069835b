/**
 * How an `ActantApp` is recognised across copies of the library: a user's app module may import
 * its own copy (another install, the built package beside a checkout), so `instanceof` against
 * this copy's class would refuse it. The brand is a registered symbol, the same in every copy.
 *
 * @module
 */

/** The registered symbol every `ActantApp` carries, whichever copy of the library built it. */
export const APP_BRAND: unique symbol = Symbol.for("actant.app");

/** The version of the brand's contract: the shape of the app a CLI of this copy relies on. */
export const APP_BRAND_VERSION = 1;
