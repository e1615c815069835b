// Loaded before each test file under Node (`node --test --import`): a file whose tests are done
// but whose process stays alive (a socket, a child, a native callback left open) fails with what
// is still open, a minute later, instead of holding the whole run until CI's limit.
import { after } from "node:test";

const process = (globalThis as unknown as { process: NodeProcess }).process;
interface NodeProcess {
  argv: string[];
  getActiveResourcesInfo(): string[];
  exit(code: number): never;
}

/** How long a file may take to exit after its last hook: far above any real close. */
const EXIT_GRACE_MS = 60_000;

after(() => {
  const timer = setTimeout(() => {
    const open = process.getActiveResourcesInfo().join(", ");
    console.error(`# ${process.argv[1]} did not exit ${EXIT_GRACE_MS / 1000} s after its tests; still open: ${open}`);
    process.exit(1);
  }, EXIT_GRACE_MS);
  (timer as unknown as { unref(): void }).unref(); // fires only if something else keeps the process up
});
