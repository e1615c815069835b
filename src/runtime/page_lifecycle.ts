/**
 * The Page Lifecycle of a browser tab: a page about to be frozen (`freeze`: a background tab
 * Chrome suspends, timers and all) or hidden for good (`pagehide`: closed, navigated away, or put
 * in the back/forward cache). Elsewhere (Node, Deno, Bun, a Web Worker) there is no page: nothing
 * is ever told.
 *
 * @module
 */

/**
 * Calls `leaving` when the page is about to stop running (frozen or hidden): what it does must not
 * wait for a timer. Returns the function that stops listening.
 */
export function onPageLeaving(leaving: () => void): () => void {
  const page = globalThis as { document?: EventTarget } & Partial<EventTarget>;
  const document = page.document;
  if (document === undefined || typeof page.addEventListener !== "function") return () => {};
  const listener = () => leaving();
  document.addEventListener("freeze", listener);
  page.addEventListener("pagehide", listener);
  return () => {
    document.removeEventListener("freeze", listener);
    page.removeEventListener!("pagehide", listener);
  };
}
