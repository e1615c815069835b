/**
 * The page of the browser example: a light worker of the server at the address it was served
 * with. "Run" submits a workflow of 12 steps (a group); the grid shows each step while this tab
 * runs it, and where every step ran once the workflow is done; the members list is the cluster as
 * the server sees it, every two seconds.
 *
 * @module
 */
import { ActantApp, clusterStatus, group } from "../../mod.ts";
import { registerTasks } from "./app.ts";

const STEPS = 12;
const address = (globalThis as { ACTANT_ADDRESS?: string }).ACTANT_ADDRESS!;
const $ = (id: string) => document.getElementById(id)!;

/** Shows step `n` in the grid: `text`, styled as `kind` (queued, here, server). */
function mark(n: number, text: string, kind: string): void {
  const cell = $(`step-${n}`);
  cell.textContent = `${n}: ${text}`;
  cell.className = `cell ${kind}`;
}

const app = new ActantApp("browser_example", { address, worker: true, concurrency: 2 });
const { step } = registerTasks(
  app,
  "tab",
  (n, done) => mark(n, done ? "ran in this tab" : "running in this tab…", "here"),
);

async function showMembers(): Promise<void> {
  try {
    const members = await clusterStatus(address);
    $("members").textContent = members
      .map((m) => `${m.nodeId} (${m.runtime}): ${m.tasks.running} running, ${m.tasks.succeeded} done`)
      .join("\n");
  } catch (error) {
    $("members").textContent = `cannot reach ${address}: ${(error as Error).message}`;
  }
}

async function run(): Promise<void> {
  ($("run") as HTMLButtonElement).disabled = true;
  for (let n = 0; n < STEPS; n++) mark(n, "queued", "queued");
  $("status").textContent = "running…";
  const results = await app.submit(group(...Array.from({ length: STEPS }, (_, n) => step.s(n))));
  for (const { n, where } of results) mark(n, where === "tab" ? "ran in this tab" : `ran on the ${where}`, where);
  const onTab = results.filter((result) => result.where === "tab").length;
  $("status").textContent = `done: ${onTab} of ${STEPS} steps ran in this tab, ${STEPS - onTab} on the server`;
  ($("run") as HTMLButtonElement).disabled = false;
}

try {
  await app.start();
  $("status").textContent = "joined the cluster as a light worker";
  ($("run") as HTMLButtonElement).disabled = false;
  $("run").addEventListener("click", () => void run().catch((e) => ($("status").textContent = String(e))));
  await showMembers();
  setInterval(() => void showMembers(), 2_000);
} catch (error) {
  $("status").textContent = `could not join: ${(error as Error).name}: ${(error as Error).message}`;
}
