/**
 * A first-in first-out queue that takes from the front in O(1) without `Array.shift()`'s copy:
 * a head index into an array that is dropped whole once it has been read to the end.
 *
 * @module
 */

/** A FIFO queue of `T`. */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  /** Items in the queue. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The front item, taken out; `undefined` when the queue is empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T; // let go of it: the array lives until read to the end
    if (this.#head === this.#items.length) this.clear();
    return item;
  }

  /** Empties the queue. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
