/**
 * The size of a browser bundle as a page loads it: esbuild with code splitting puts modules that
 * are only imported dynamically (`import("./x.ts")`) in chunks of their own, so the chunks a page
 * loads up front are the entry and those it imports statically, transitively; the rest load on demand.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build, stop } from "esbuild";

/** Sizes in bytes: minified, gzipped (zlib's default level, each chunk on its own), and libp2p's part. */
export interface Sizes {
  minified: number;
  gzip: number;
  /** Bytes of libp2p, @libp2p/* and @chainsafe/* (Noise, Yamux) in these chunks (esbuild's bytesInOutput). */
  libp2p: number;
}

/** The chunks of the bundle, what a local-mode page loads of them, and what all of them weigh. */
export interface BundleSizes {
  chunks: number;
  localChunks: string[];
  localPage: Sizes;
  all: Sizes;
}

/**
 * Bundles `entry` (a path relative to `root`) with esbuild for the browser (ESM, minified, split
 * into chunks) in a temp dir, measures it from the metafile and the files, and removes it.
 */
export async function browserBundle(root: string, entry: string): Promise<BundleSizes> {
  const outdir = await mkdtemp(join(tmpdir(), "actant-bench-bundle-"));
  try {
    const result = await build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      outdir,
      platform: "browser",
      format: "esm",
      bundle: true,
      minify: true,
      splitting: true,
      metafile: true,
      logLevel: "silent",
    });
    const outputs = result.metafile.outputs;
    const js = Object.keys(outputs).filter((path) => path.endsWith(".js"));
    const main = js.find((path) => outputs[path].entryPoint === entry);
    if (main === undefined) throw new Error(`no output chunk has entry point ${entry}: ${js.join(", ")}`);
    // A local-mode page loads the entry and, transitively, what it imports statically.
    const local = new Set([main]);
    for (const path of local) {
      for (const imported of outputs[path].imports) {
        if (imported.kind === "import-statement" && !imported.external) local.add(imported.path);
      }
    }
    const size = (paths: Iterable<string>): Sizes => {
      let minified = 0;
      let gzip = 0;
      let libp2p = 0;
      for (const path of paths) {
        const bytes = readFileSync(join(root, path));
        minified += bytes.length;
        gzip += gzipSync(bytes).length;
        for (const [input, { bytesInOutput }] of Object.entries(outputs[path].inputs)) {
          if (/node_modules\/(?:libp2p|@libp2p|@chainsafe)\//.test(input)) libp2p += bytesInOutput;
        }
      }
      return { minified, gzip, libp2p };
    };
    const name = (path: string) => relative(outdir, join(root, path));
    return {
      chunks: js.length,
      localChunks: [...local].map(name),
      localPage: size(local),
      all: size(js),
    };
  } finally {
    await stop();
    await rm(outdir, { recursive: true, force: true });
  }
}
