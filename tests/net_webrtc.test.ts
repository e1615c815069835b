// WebRTC through a relay: a server node relays signalling (circuit-relay-v2); two Chromium tabs,
// and a tab and a Node process, then talk over their own WebRTC connection (the connection's
// multiplexer is WebRTC's data channels, not Yamux over the relay), and go on talking once the
// relay's connections are gone. All on 127.0.0.1 (ICE with host candidates only, no STUN).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createNetNode, type NetNode } from "../src/net/mod.ts";
import { webRtc, webRtcRelay } from "../webrtc.ts";
import {
  bundleForBrowser,
  type FileServer,
  launchChromium,
  modulePage,
  openPage,
  serveFiles,
  webRtcContext,
} from "./support/browser.ts";

const ECHO_PROTOCOL = "/actant-test/echo/1";
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

type Peer = { peerId: string; webrtc: string } | { error: string };
type Echo = { echoed: string; multiplexer?: string; encryption?: string; remoteAddr: string; limited: boolean };

describe("WebRTC through a relay", { timeout: 90_000 }, () => {
  let relay: NetNode;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let site: FileServer | undefined;
  let setupError: unknown;
  const consoleLines: string[] = [];

  before(async () => {
    try {
      relay = await createNetNode({ listen: ["/ip4/127.0.0.1/tcp/0/ws"], relay: webRtcRelay() });
      const bundle = await bundleForBrowser(new URL("./fixtures/webrtc_peer.ts", import.meta.url));
      site = await serveFiles({
        "/": modulePage("/peer.js"),
        "/peer.js": { contentType: "text/javascript", body: bundle },
      });
      browser = await launchChromium();
      context = await webRtcContext(browser);
    } catch (error) {
      setupError = error;
    }
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await relay?.stop();
  });

  async function tab(): Promise<{ page: Page; peer: { peerId: string; webrtc: string } }> {
    const { page, value: peer } = await openPage<Peer>(context, `${site!.url}/`, {
      globals: { ACTANT_RELAY: relay.addresses()[0] },
      ready: "ACTANT_PEER",
      lines: consoleLines,
      timeoutMs: 30_000,
    });
    if ("error" in peer) assert.fail(`the tab's node failed: ${peer.error}\n${consoleLines.join("\n")}`);
    assert.match(peer.webrtc, /\/p2p-circuit\/webrtc\/p2p\//);
    return { page, peer };
  }

  const echo = (page: Page, address: string, text: string) =>
    page.evaluate(
      ([address, text]) =>
        (globalThis as unknown as { actantEcho(a: string, t: string): Promise<Echo> }).actantEcho(address, text),
      [address, text] as const,
    );

  it("connects two tabs directly, and their streams outlive the relay's connections", async () => {
    if (setupError !== undefined) throw setupError;
    const a = await tab();
    const b = await tab();
    const first = await echo(a.page, b.peer.webrtc, "hello");
    assert.equal(first.echoed, "echo: hello");
    assert.equal(first.multiplexer, "/webrtc", `the connection: ${JSON.stringify(first)}`);
    assert.equal(first.limited, false);
    // The relay drops every connection it has: the tabs' WebRTC connection does not go through it.
    for (const connection of relay.libp2p.getConnections()) await connection.close();
    assert.equal(relay.libp2p.getConnections().length, 0);
    const second = await echo(a.page, b.peer.webrtc, "again");
    assert.equal(second.echoed, "echo: again");
    assert.equal(second.multiplexer, "/webrtc");
    await a.page.close();
    await b.page.close();
  });

  it(
    "connects a Node process and a tab the same way (node-datachannel)",
    { skip: isDeno && "Deno has no WebRTC" },
    async () => {
      if (setupError !== undefined) throw setupError;
      const b = await tab();
      const node = await createNetNode({
        bootstrap: relay.addresses(),
        webrtc: webRtc({ bindAddress: "127.0.0.1" }),
      });
      try {
        const connection = await node.dial(b.peer.webrtc);
        assert.equal(connection.multiplexer, "/webrtc");
        const channel = await node.openChannel<string, string>(b.peer.webrtc, ECHO_PROTOCOL);
        const writer = channel.writable.getWriter();
        await writer.write("from node");
        const reply = await channel.readable.getReader().read();
        assert.equal(reply.value, "echo: from node");
        await writer.close();
      } finally {
        await node.stop();
        await b.page.close();
      }
    },
  );

  it("refuses WebRTC with a secret, on Deno, and options of the wrong shape, with a TypeError saying why", async () => {
    await assert.rejects(createNetNode({ webrtc: webRtc(), secret: "s" }), {
      name: "TypeError",
      message: isDeno ? /Deno has no WebRTC/ : /pre-shared key/,
    });
    assert.throws(() => webRtc({ stun: [] } as never), { name: "TypeError", message: /stun/ });
    assert.throws(() => webRtc({ iceServers: [{}] } as never), { name: "TypeError", message: /iceServers/ });
    await assert.rejects(createNetNode({ webrtc: { iceServers: [] } as never }), {
      name: "TypeError",
      message: /webRtc\(\)/,
    });
    await assert.rejects(createNetNode({ relay: true as never }), { name: "TypeError", message: /webRtcRelay\(\)/ });
    if (isDeno) await assert.rejects(createNetNode({ webrtc: webRtc() }), { name: "TypeError", message: /Deno/ });
  });
});
