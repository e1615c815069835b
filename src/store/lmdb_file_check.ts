/**
 * Checks an LMDB `data.mdb` before LMDB maps it, so a truncated or damaged file becomes a
 * `DataDirError` (`LOG_FILE_DAMAGED`) instead of a SIGBUS or SIGSEGV that kills the node.
 *
 * The size must be whole pages; both meta pages (and the flushed copy overlapping sync keeps)
 * must be sane with their roots inside the file; then both trees of the meta LMDB will use are walked:
 * every reachable branch and leaf page must carry its own page number and the expected kind,
 * with its bounds and every node (offset, key, data, child or overflow page) inside the page
 * and the file, and the page and entry counts must match the meta's. The walk reads the
 * branch and leaf pages and one header per overflow chain, not the values, whose checksums the
 * event log checks anyway. A flipped byte in a value, or in space nothing reads, is not seen
 * here and needs not be: LMDB does not follow it.
 *
 * @module
 */
import type { FileReader } from "../runtime/file_probe.ts";
import {
  LMDB_MAGIC,
  type LmdbMeta,
  META_SPAN,
  metaProblem,
  NO_PAGE,
  P_BRANCH,
  P_LEAF,
  P_META,
  P_OVERFLOW,
  PAGE_HEADER,
  readMeta,
  type TreeRecord,
  treeRecord,
  u64,
  validPageSize,
} from "./lmdb_meta.ts";

/** Node flags (mdb.c): the value is on overflow pages, is a sub-database. */
const F_BIGDATA = 0x01, F_SUBDATA = 0x02;
/** Bytes of a node header. */
const NODE_HEADER = 8;

/** What the check learnt about an intact file. */
export interface LmdbFileFacts {
  pageSize: number;
  pages: number;
  /** The txn id of the meta LMDB will use. */
  txnid: number;
}

/** The file is damaged: `reason` says how. */
export class LmdbFileDamage extends Error {}

/**
 * Checks the LMDB file behind `reader`; returns what it learnt, or `undefined` for an empty
 * file (which LMDB initialises as a new store).
 *
 * @throws {LmdbFileDamage} naming what is wrong.
 */
export function checkLmdbFile(reader: FileReader): LmdbFileFacts | undefined {
  const size = reader.size;
  if (size === 0) return undefined;
  if (size < META_SPAN) throw new LmdbFileDamage(`it is ${size} bytes long, shorter than one LMDB meta page`);
  const head = reader.read(0, META_SPAN);
  const pageSize = readMeta(head, PAGE_HEADER, "page 0").pageSize;
  const first = new DataView(head.buffer, head.byteOffset).getUint32(PAGE_HEADER, true);
  if (first !== LMDB_MAGIC) throw new LmdbFileDamage(`page 0 has no LMDB magic (found 0x${first.toString(16)})`);
  if (!validPageSize(pageSize)) throw new LmdbFileDamage(`page 0 gives page size ${pageSize}`);
  if (size % pageSize !== 0) {
    throw new LmdbFileDamage(
      `its size ${size} is not a whole number of ${pageSize}-byte pages (the file is truncated)`,
    );
  }
  const pages = size / pageSize;
  if (pages < 2) {
    throw new LmdbFileDamage(`it holds ${pages} page, fewer than its two meta pages (the file is truncated)`);
  }
  const metas: LmdbMeta[] = [];
  for (const pgno of [0, 1]) {
    const bytes = reader.read(pgno * pageSize, META_SPAN);
    const header = new DataView(bytes.buffer, bytes.byteOffset, PAGE_HEADER);
    if (u64(header, 0) !== pgno || (header.getUint16(18, true) & P_META) === 0) {
      throw new LmdbFileDamage(`page ${pgno} is not a meta page`);
    }
    metas.push(readMeta(bytes, PAGE_HEADER, `page ${pgno}`));
  }
  for (const meta of metas) {
    const problem = metaProblem(meta, pageSize, pages, true);
    if (problem !== undefined) throw new LmdbFileDamage(problem);
  }
  // LMDB reads the flushed copy's page size and map size when it has the newest txn id.
  const flushed = readMeta(reader.read(pageSize / 2, META_SPAN), PAGE_HEADER, "the flushed meta copy in page 0");
  if (flushed.txnid !== 0) {
    const problem = metaProblem(flushed, pageSize, pages, false);
    if (problem !== undefined) throw new LmdbFileDamage(problem);
  }
  // As LMDB picks it (mdb_pick_meta): the newer txn, page 0 on a tie.
  const meta = metas[0].txnid >= metas[1].txnid ? metas[0] : metas[1];
  // Every page LMDB will read must be inside the file (reading past its end is a SIGBUS).
  const walk = new TreeWalk(reader, pageSize, meta, pages);
  walk.tree(meta.free, `${meta.where}'s free-page tree`, true);
  walk.tree(meta.main, `${meta.where}'s main tree`, false);
  return { pageSize, pages, txnid: meta.txnid };
}

/** Counts of a tree walked, to compare with its record. */
interface Counts {
  branch: number;
  leaf: number;
  overflow: number;
  entries: number;
}

class TreeWalk {
  readonly #reader: FileReader;
  readonly #pageSize: number;
  /** The last page LMDB may read: the meta's last page, or the file's if that comes first. */
  readonly #lastPage: number;
  /** The meta's last page, which free-page lists may name (free pages at the end are not written). */
  readonly #metaLastPage: number;
  readonly #txnid: number;
  readonly #seen = new Set<number>();

  constructor(reader: FileReader, pageSize: number, meta: LmdbMeta, pages: number) {
    this.#reader = reader;
    this.#pageSize = pageSize;
    this.#lastPage = Math.min(meta.lastPage, pages - 1);
    this.#metaLastPage = meta.lastPage;
    this.#txnid = meta.txnid;
  }

  /** Walks the tree of `record`; `freeList` trees hold page lists, checked against the file too. */
  tree(record: TreeRecord, name: string, freeList: boolean): void {
    if (record.root === NO_PAGE) return;
    const counts: Counts = { branch: 0, leaf: 0, overflow: 0, entries: 0 };
    const stack: { pgno: number; level: number }[] = [{ pgno: record.root, level: 1 }];
    while (stack.length > 0) {
      const { pgno, level } = stack.pop()!;
      const page = this.#page(pgno, name);
      const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
      const flags = view.getUint16(18, true);
      const branch = level < record.depth;
      const kind = branch ? P_BRANCH : P_LEAF;
      // Exactly: the high bits (loose, keep, dirty overflow) are LMDB's in-memory marks, never on disk.
      if (flags !== kind) {
        throw new LmdbFileDamage(
          `${name}: page ${pgno} at depth ${level} of ${record.depth} has flags 0x${flags.toString(16)}`,
        );
      }
      if (branch) counts.branch++;
      else counts.leaf++;
      for (const node of this.#nodes(view, pgno, name)) {
        if (branch) {
          const child = node.lo + node.hi * 0x10000 + node.flags * 0x100000000;
          this.#inFile(child, `${name}: page ${pgno} points to page ${child}`);
          stack.push({ pgno: child, level: level + 1 });
        } else {
          counts.entries++;
          this.#leafNode(view, node, pgno, name, counts, freeList);
        }
      }
    }
    const expected = [record.branchPages, record.leafPages, record.overflowPages, record.entries];
    const found = [counts.branch, counts.leaf, counts.overflow, counts.entries];
    if (expected.some((value, i) => value !== found[i])) {
      throw new LmdbFileDamage(
        `${name} counts ${expected.join("/")} branch/leaf/overflow pages/entries, its pages hold ${found.join("/")}`,
      );
    }
  }

  #leafNode(view: DataView, node: Node, pgno: number, name: string, counts: Counts, freeList: boolean): void {
    const size = node.lo + node.hi * 0x10000;
    const data = node.offset + NODE_HEADER + node.keySize;
    const where = `${name}: a node of page ${pgno}`;
    // No tree of the event log's store has duplicate keys, and LMDB asserts (SIGABRT) on a
    // duplicates node in a tree without them; only the main tree may name sub-databases.
    const allowed = freeList ? F_BIGDATA : F_BIGDATA | F_SUBDATA;
    if ((node.flags & ~allowed) !== 0 || node.flags === (F_BIGDATA | F_SUBDATA)) {
      throw new LmdbFileDamage(`${where} has flags ${node.flags}`);
    }
    if ((node.flags & F_BIGDATA) !== 0) {
      if (data + 8 > this.#pageSize) throw new LmdbFileDamage(`${where} overruns the page`);
      const first = u64(view, data);
      const count = Math.floor((PAGE_HEADER - 1 + size) / this.#pageSize) + 1;
      this.#inFile(first, `${where} points to overflow page ${first}`);
      this.#inFile(first + count - 1, `${where} holds ${size} bytes from overflow page ${first}`);
      const header = this.#page(first, name, PAGE_HEADER);
      const headerView = new DataView(header.buffer, header.byteOffset, PAGE_HEADER);
      if (headerView.getUint16(18, true) !== P_OVERFLOW || headerView.getUint32(20, true) < count) {
        throw new LmdbFileDamage(`${where} points to page ${first}, which is not an overflow run of ${count} pages`);
      }
      counts.overflow += headerView.getUint32(20, true);
      if (freeList) this.#pageList(this.#reader.read(first * this.#pageSize + PAGE_HEADER, size), where);
      return;
    }
    if (data + size > this.#pageSize) throw new LmdbFileDamage(`${where} holds ${size} bytes, overrunning the page`);
    if ((node.flags & F_SUBDATA) !== 0) {
      if (size !== 48) throw new LmdbFileDamage(`${where} is a sub-database of ${size} bytes`);
      const record = treeRecord(view, data);
      this.tree(record, `${name}'s sub-database`, false);
    } else if (freeList) {
      this.#pageList(new Uint8Array(view.buffer, view.byteOffset + data, size), where);
    }
  }

  /**
   * A free-page list: a count, then that many entries. This LMDB writes runs as a negative
   * length beside a page number, and leaves zeros as holes; every magnitude must fit the file.
   */
  #pageList(bytes: Uint8Array, where: string): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = bytes.byteLength >= 8 ? u64(view, 0) : -1;
    if (count < 0 || (count + 1) * 8 > bytes.byteLength) {
      throw new LmdbFileDamage(`${where} holds a free-page list of ${bytes.byteLength} bytes counting ${count}`);
    }
    for (let i = 1; i <= count; i++) {
      const entry = Number(view.getBigInt64(i * 8, true));
      if (Math.abs(entry) > this.#metaLastPage + 1) throw new LmdbFileDamage(`${where} lists free page ${entry}`);
    }
  }

  /** The nodes of a branch or leaf page, each checked to lie inside it. */
  *#nodes(view: DataView, pgno: number, name: string): Generator<Node> {
    const lower = view.getUint16(20, true);
    const upper = view.getUint16(22, true);
    const end = this.#pageSize - PAGE_HEADER;
    if (lower % 2 !== 0 || lower === 0 || upper < lower || upper > end) {
      throw new LmdbFileDamage(`${name}: page ${pgno} has free space bounds ${lower} to ${upper}`);
    }
    for (let i = 0; i < lower / 2; i++) {
      const offset = view.getUint16(PAGE_HEADER + 2 * i, true) + PAGE_HEADER;
      if (offset < upper + PAGE_HEADER || offset + NODE_HEADER > this.#pageSize) {
        throw new LmdbFileDamage(`${name}: page ${pgno} has node ${i} at offset ${offset}`);
      }
      const keySize = view.getUint16(offset + 6, true);
      if (offset + NODE_HEADER + keySize > this.#pageSize) {
        throw new LmdbFileDamage(`${name}: page ${pgno} has a ${keySize}-byte key overrunning the page`);
      }
      yield {
        offset,
        lo: view.getUint16(offset, true),
        hi: view.getUint16(offset + 2, true),
        flags: view.getUint16(offset + 4, true),
        keySize,
      };
    }
  }

  /**
   * The first `length` bytes of page `pgno`, which must carry its own number, be met once, and
   * come from a committed txn: LMDB takes a page whose txn id is not below the next txn's for
   * one it may change in place, and writing into the read-only map is a SIGSEGV.
   */
  #page(pgno: number, name: string, length = this.#pageSize): Uint8Array {
    if (this.#seen.has(pgno)) throw new LmdbFileDamage(`${name}: page ${pgno} is reached twice`);
    this.#seen.add(pgno);
    const bytes = this.#reader.read(pgno * this.#pageSize, length);
    if (bytes.byteLength < length) throw new LmdbFileDamage(`${name}: page ${pgno} is cut short`);
    const header = new DataView(bytes.buffer, bytes.byteOffset, PAGE_HEADER);
    const stored = u64(header, 0);
    if (stored !== pgno) throw new LmdbFileDamage(`${name}: page ${pgno} carries page number ${stored}`);
    const txnid = u64(header, 8);
    if (txnid > this.#txnid) {
      throw new LmdbFileDamage(
        `${name}: page ${pgno} was written by txn ${txnid}, after the last committed one (${this.#txnid})`,
      );
    }
    return bytes;
  }

  #inFile(pgno: number, what: string): void {
    if (!(pgno >= 2 && pgno <= this.#lastPage)) {
      throw new LmdbFileDamage(`${what}, outside pages 2 to ${this.#lastPage} of the file (is it truncated?)`);
    }
  }
}

/** A node's header fields and where it starts in its page. */
interface Node {
  offset: number;
  lo: number;
  hi: number;
  flags: number;
  keySize: number;
}
