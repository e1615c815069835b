/**
 * The browser example in one command: `node examples/browser/serve.ts [--port 8080]`.
 *
 * Starts a server worker of the example's app (the same as `actant worker --app
 * examples/browser/app.ts`, in this process; concurrency 2, so that a busy workflow spills over
 * to the tab), bundles the page with esbuild, and serves it on http://127.0.0.1:<port>. Open that
 * page: the tab joins the cluster as a light worker; "Run" sends a workflow whose steps run in the
 * tab and on the server. Ctrl-C stops it all.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import app from "./app.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "8080" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  throw new TypeError(`--port must be a port number (0 picks a free one), got ${values.port}`);
}

const member = await app.join({ listen: ["/ip4/127.0.0.1/tcp/0/ws"], concurrency: 2, nodeId: "server" });
const address = member.node.addresses()[0];
member.membership.onChange((change) => {
  if (change.kind === "joined") console.log(`member joined: ${change.member.announcement.status.nodeId} (a tab)`);
  if (change.kind === "left") console.log(`member left: ${change.peerId} (${change.reason})`);
});

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
  bundle: true,
  format: "esm",
  platform: "browser",
  write: false,
  logLevel: "silent",
});
const page = bundle.outputFiles[0].text;
const html = readFileSync(new URL("./index.html", import.meta.url), "utf8").replace(
  '<script type="module"',
  `<script>globalThis.ACTANT_ADDRESS = ${JSON.stringify(address)};</script>\n    <script type="module"`,
);

const server = createServer((request, response) => {
  const path = (request.url ?? "/").split("?")[0];
  if (path === "/" || path === "/index.html") {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  } else if (path === "/page.js") {
    response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(page);
  } else response.writeHead(404).end("not found");
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, "127.0.0.1", resolve);
});
console.log(`worker: ${address}`);
console.log(`open http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

const stop = async () => {
  server.close();
  await app.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
