// Two browser tabs as light workers that run WebRTC, of one `actant worker --relay` process: the
// worker relays their signalling (circuit-relay-v2), and a tab's calls to an actor hosted in the
// other tab go over the tabs' own WebRTC connection (the owner still logs each call, as the host
// reports it). The relayed connection that signalled it is closed once it is up, and the calls go
// on; when the hosting tab closes, the actor moves to the worker with its logged state.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ONCE_UNDER_NODE, startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { until } from "./support/async.ts";
import {
  bundleForBrowser,
  type FileServer,
  launchChromium,
  modulePage,
  openPage,
  serveFiles,
  webRtcContext,
} from "./support/browser.ts";
import { createTempDir, type TempDir } from "./support/temp_dir.ts";
import { ActantApp, type ConnectionInfo, group, signature } from "../mod.ts";
import { webRtc } from "../webrtc.ts";
import { tallyClass } from "./fixtures/tally.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const entry = new URL("./fixtures/browser_webrtc_tab.ts", import.meta.url);

type TabState = { joined: true } | { error: { name: string; message: string } };
interface TabApi {
  actantCreate(): Promise<{ id: string; host: string }>;
  actantAdd(id: string, n: number, times: number): Promise<number[]>;
  actantConnections(): Promise<ConnectionInfo[]>;
  actantDataChannelSends(): number;
}

describe(
  "two tabs over WebRTC, signalled through a relaying worker",
  { skip: ONCE_UNDER_NODE, timeout: 120_000 },
  () => {
    let temp: TempDir;
    let worker: WorkerProcess | undefined;
    let browser: Browser | undefined;
    let context: BrowserContext;
    let site: FileServer | undefined;
    const consoleLines: string[] = [];
    let setupError: unknown;

    before(async () => {
      try {
        temp = await createTempDir("browser-webrtc");
        const [started, bundle, launched] = await Promise.all([
          startWorker(["--app", appModule, "--data", join(temp.path, "w1"), "--relay", "--node-id", "w1"]),
          bundleForBrowser(entry),
          launchChromium(),
        ]);
        worker = started;
        browser = launched;
        site = await serveFiles({
          "/": modulePage("/tab.js"),
          "/tab.js": { contentType: "text/javascript", body: bundle },
        });
        context = await webRtcContext(browser);
      } catch (error) {
        setupError = error;
      }
    });

    after(async () => {
      await browser?.close();
      await site?.close();
      await worker?.stop();
      await temp?.remove();
    });

    async function tab(name: string): Promise<Page> {
      const { page, value } = await openPage<TabState>(context, `${site!.url}/`, {
        globals: { ACTANT_ADDRESS: worker!.address, ACTANT_TAB: name },
        ready: "ACTANT_TAB_READY",
        lines: consoleLines,
        timeoutMs: 30_000,
        explain: () => `worker:\n${worker!.output()}`,
      });
      if ("error" in value) assert.fail(`tab ${name} could not join: ${value.error.name}: ${value.error.message}`);
      return page;
    }

    const api = <K extends keyof TabApi>(page: Page, name: K, ...args: Parameters<TabApi[K]>) =>
      page.evaluate(
        ([name, args]) => (globalThis as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args),
        [name, args] as const,
      ) as Promise<Awaited<ReturnType<TabApi[K]>>>;

    it("calls an actor hosted in the other tab over WebRTC, after the relayed connection closed too", async () => {
      if (setupError !== undefined) throw setupError;
      const a = await tab("A");
      const b = await tab("B");
      await until(() => worker!.stdout().split("member joined").length - 1 === 2, "w1 sees both tabs");
      // w1 owns what tab A creates and places it on the member with fewest actors: created until
      // one lives in tab B (each of the three members gets one in turn).
      let counter: { id: string; host: string } | undefined;
      for (let i = 0; i < 6 && counter?.host !== "B"; i++) counter = await api(a, "actantCreate");
      assert.equal(counter?.host, "B", "an actor hosted in tab B");
      const before = await api(a, "actantDataChannelSends");
      assert.deepEqual(await api(a, "actantAdd", counter!.id, 1, 20), Array.from({ length: 20 }, (_, i) => i + 1));
      const sent = (await api(a, "actantDataChannelSends")) - before;
      assert.ok(sent >= 20, `tab A sent ${sent} data-channel messages for 20 calls`);
      const connections = await api(a, "actantConnections");
      const direct = connections.filter((connection) => connection.transport === "webrtc");
      assert.equal(direct.length, 1, JSON.stringify(connections));
      assert.ok(
        !connections.some((connection) => connection.transport === "relayed"),
        `the relayed connection is closed: ${JSON.stringify(connections)}`,
      );
      assert.ok(connections.some((connection) => connection.transport === "websocket"), "tab A's server connection");
      // More calls, over the WebRTC connection alone.
      assert.deepEqual(await api(a, "actantAdd", counter!.id, 1, 5), [21, 22, 23, 24, 25]);
      // Tab B closes: w1 moves the actor (to a member that is left) with the calls it logged.
      await b.close();
      const moved = await api(a, "actantAdd", counter!.id, 1, 1);
      assert.deepEqual(moved, [26], "the actor kept the state of every call, the direct ones included");
      await a.close();
      assert.deepEqual(consoleLines.filter((line) => line.startsWith("[pageerror]")), []);
    });

    it("takes attempts over WebRTC from a server it cannot dial (one that listens on nothing)", async () => {
      if (setupError !== undefined) throw setupError;
      // In this process: a server behind a NAT, as it were, that dials out to w1 and dials WebRTC.
      const hidden = new ActantApp("cluster_test", { durability: "memory", concurrency: 1 });
      hidden.task("where", async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return "hidden";
      });
      hidden.actor("Counter", tallyClass("hidden"));
      const member = await hidden.join({
        listen: [],
        bootstrap: [worker!.address],
        webrtc: webRtc({ bindAddress: "127.0.0.1" }),
        nodeId: "hidden",
        heartbeatMs: 200,
      });
      const c = await tab("C");
      try {
        // Tab C is the only tab left (A and B closed): once it has a WebRTC connection to hidden,
        // and hidden a light member, that is C.
        let reached = false;
        await until(() => reached && member.membership.members().some((m) => m.announcement.light), "hidden takes C", {
          limitMs: 30_000,
          step: async () =>
            void (reached = (await api(c, "actantConnections")).some((connection) =>
              connection.peerId === member.node.peerId && connection.transport === "webrtc"
            )),
        });
        const where = await hidden.submit(group(...Array.from({ length: 6 }, () => signature<string>("where", [100]))));
        assert.ok(where.includes("C"), `nothing ran in tab C: ${where}`);
        const tabPeer = member.membership.members().find((m) => m.announcement.light)!.peerId;
        const toTab = member.node.connections().filter((connection) => connection.peerId === tabPeer);
        assert.deepEqual(toTab.map((connection) => connection.transport), ["webrtc"], JSON.stringify(toTab));
        const fromTab = (await api(c, "actantConnections")).filter((connection) =>
          connection.peerId === member.node.peerId
        );
        assert.deepEqual(fromTab.map((connection) => connection.transport), ["webrtc"], JSON.stringify(fromTab));
      } finally {
        await c.close();
        await hidden.close();
      }
    });
  },
);
