/**
 * The meta pages of an LMDB `data.mdb` (the lmdb package's LMDB, 64-bit builds), read from the
 * file's bytes before LMDB maps it. LMDB trusts them: a meta whose tree reaches past the end of
 * the file makes LMDB read unmapped memory (SIGBUS), one with a wrong page size, flags or root
 * makes it follow garbage (SIGSEGV). So each is checked here first.
 *
 * Layout (mdb.c): a page starts with a 24-byte header (pgno u64, txnid u64, pad u16, flags u16,
 * lower u16, upper u16); a meta page holds after it the magic, the version, the map address and
 * size, two database records (free pages, main), the last page number and the txn id. Pages 0
 * and 1 hold the two metas LMDB alternates between; with overlapping sync a third ("flushed")
 * copy sits half a page into page 0, written from the map size on (so no magic).
 *
 * @module
 */

/** Bytes of a page header. */
export const PAGE_HEADER = 24;
/** The magic number of an LMDB meta page. */
export const LMDB_MAGIC = 0xbeefc0de;
/** The data format version this LMDB writes. */
export const LMDB_DATA_VERSION = 2;
/** Page flags (mdb.c). */
export const P_BRANCH = 0x01, P_LEAF = 0x02, P_OVERFLOW = 0x04, P_META = 0x08;
/** An empty tree's root. */
export const NO_PAGE = 2 ** 64 - 1;
/** The free-page tree's flags: integer keys, and the environment's overlapping-sync flag (not on Windows). */
const FREE_TREE_FLAGS = [0x08, 0x1008];
/** Bytes of a meta page's fields, as read. */
const META_BYTES = 144;

/** One database record of a meta page (`MDB_db`). */
export interface TreeRecord {
  pad: number;
  flags: number;
  depth: number;
  branchPages: number;
  leafPages: number;
  overflowPages: number;
  entries: number;
  root: number;
}

/** One meta, as read. */
export interface LmdbMeta {
  /** Where it was read: "page 0", "page 1" or "the flushed copy in page 0". */
  where: string;
  magic: number;
  version: number;
  /** The fixed mapping address: always 0, since Actant never asks for a fixed map. */
  address: number;
  mapSize: number;
  pageSize: number;
  free: TreeRecord;
  main: TreeRecord;
  lastPage: number;
  txnid: number;
}

/** A 64-bit little-endian field as a number (exact below 2^53, which every sane value is). */
export function u64(view: DataView, offset: number): number {
  return Number(view.getBigUint64(offset, true));
}

/** Reads the `MDB_db` record at `offset` of `view`. */
export function treeRecord(view: DataView, offset: number): TreeRecord {
  return {
    pad: view.getUint32(offset, true),
    flags: view.getUint16(offset + 4, true),
    depth: view.getUint16(offset + 6, true),
    branchPages: u64(view, offset + 8),
    leafPages: u64(view, offset + 16),
    overflowPages: u64(view, offset + 24),
    entries: u64(view, offset + 32),
    root: u64(view, offset + 40),
  };
}

/** The meta whose fields start at `offset` of `bytes` (the page header is before it). */
export function readMeta(bytes: Uint8Array, offset: number, where: string): LmdbMeta {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, META_BYTES);
  const free = treeRecord(view, 24);
  return {
    where,
    magic: view.getUint32(0, true),
    version: view.getUint32(4, true) & 0xffff,
    address: u64(view, 8),
    mapSize: u64(view, 16),
    pageSize: free.pad, // LMDB keeps the page size in the free tree's pad field
    free,
    main: treeRecord(view, 72),
    lastPage: u64(view, 120),
    txnid: u64(view, 128),
  };
}

/** The bytes a meta spans from its page's start (what must be read to parse it). */
export const META_SPAN = PAGE_HEADER + META_BYTES;

/**
 * What is wrong with `meta` for a file of `pages` pages of `pageSize` bytes, or `undefined` when
 * nothing is. `full` metas (pages 0 and 1) carry their magic and version; the flushed copy does not.
 */
export function metaProblem(meta: LmdbMeta, pageSize: number, pages: number, full: boolean): string | undefined {
  if (full && meta.magic !== LMDB_MAGIC) return `${meta.where} has no LMDB magic (found 0x${meta.magic.toString(16)})`;
  if (full && meta.version !== LMDB_DATA_VERSION) {
    return `${meta.where} has data version ${meta.version}, expected ${LMDB_DATA_VERSION}`;
  }
  if (meta.pageSize !== pageSize) return `${meta.where} gives page size ${meta.pageSize}, page 0 gives ${pageSize}`;
  // The last page may lie past the end of the file: LMDB does not write free pages at the end.
  // What it reads (every page of both trees) must be inside, which the tree walk checks.
  if (meta.lastPage < 1) return `${meta.where} says the last page is ${meta.lastPage}`;
  if (meta.mapSize < pageSize * 2 || meta.mapSize % pageSize !== 0) return `${meta.where} has map size ${meta.mapSize}`;
  if (meta.address !== 0) return `${meta.where} asks for a fixed map address`;
  // LMDB reads a tree's flags (key order, duplicates) from here; wrong ones make it misread pages.
  // The event log's store has one plain main tree: no flags, no fixed key size.
  if (!FREE_TREE_FLAGS.includes(meta.free.flags)) {
    return `${meta.where} gives the free-page tree flags 0x${meta.free.flags.toString(16)}`;
  }
  if (meta.main.flags !== 0 || meta.main.pad !== 0) {
    return `${meta.where} gives the main tree flags 0x${meta.main.flags.toString(16)} and key size ${meta.main.pad}`;
  }
  for (const [name, tree] of [["free-page", meta.free], ["main", meta.main]] as const) {
    const problem = treeProblem(tree, Math.min(meta.lastPage, pages - 1));
    if (problem !== undefined) return `${meta.where}: its ${name} tree ${problem}`;
  }
  return undefined;
}

/** What is wrong with a tree record whose pages must lie in 2..`lastPage`, or `undefined`. */
export function treeProblem(tree: TreeRecord, lastPage: number): string | undefined {
  if (tree.root === NO_PAGE) {
    return tree.depth === 0 && tree.entries === 0 ? undefined : `has no root but depth ${tree.depth}`;
  }
  if (tree.root < 2 || tree.root > lastPage) {
    return `has root page ${tree.root}, outside pages 2 to ${lastPage} of the file (is it truncated?)`;
  }
  if (tree.depth < 1 || tree.depth > 32) return `has depth ${tree.depth}`;
  const pages = tree.branchPages + tree.leafPages + tree.overflowPages;
  if (pages > lastPage) return `counts ${pages} pages in a file of ${lastPage + 1}`;
  return undefined;
}

/** Whether `size` is a page size LMDB can have written. */
export function validPageSize(size: number): boolean {
  return size >= 512 && size <= 65536 && (size & (size - 1)) === 0;
}
