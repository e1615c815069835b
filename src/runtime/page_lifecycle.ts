/**
 * The Page Lifecycle of a browser tab: a page about to be frozen (`freeze`: a background tab
 * Chrome suspends, timers and all) or hidden for good (`pagehide`: closed, navigated away, or put
 * in the back/forward cache), and one that runs again (`resume`, `pageshow`). Elsewhere (Node,
 * Deno, Bun, a Web Worker) there is no page: nothing is ever told.
 *
 * @module
 */

/** What a page tells its listeners. */
export interface PageLifecycleListener {
  /** The page is about to stop running (frozen or hidden). What it does must not wait for a timer. */
  leaving(): void;
  /** The page runs again after being frozen or hidden (from the back/forward cache). */
  back?(): void;
}

/** Listens to the page's lifecycle; returns the function that stops listening. */
export function onPageLifecycle(listener: PageLifecycleListener): () => void {
  const page = globalThis as { document?: EventTarget } & Partial<EventTarget>;
  const document = page.document;
  if (document === undefined || typeof page.addEventListener !== "function") return () => {};
  const leaving = () => listener.leaving();
  const back = () => listener.back?.();
  document.addEventListener("freeze", leaving);
  page.addEventListener("pagehide", leaving);
  document.addEventListener("resume", back);
  page.addEventListener("pageshow", back);
  return () => {
    document.removeEventListener("freeze", leaving);
    page.removeEventListener!("pagehide", leaving);
    document.removeEventListener("resume", back);
    page.removeEventListener!("pageshow", back);
  };
}
