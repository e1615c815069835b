/**
 * Loading the app module of `actant worker --app <module>`, with errors about the user's module:
 * a path that names nothing (as given and as resolved), a module that throws while it loads (its
 * path and the thrown error's stack), a module without an app (what to export). The app may come
 * from another copy of Actant (another install, a build beside a checkout): it is recognised by
 * its brand, never by `instanceof`.
 *
 * @module
 */
import { type ActantApp, APP_BRAND, APP_BRAND_VERSION, isActantApp } from "../app/mod.ts";
import { ActantError, describe, registerErrorClasses } from "../common/mod.ts";
import { identify } from "../runtime/file_probe.ts";
import { importModule } from "../runtime/import_module.ts";
import { moduleUrl, resolvePath } from "../runtime/process.ts";
import { UsageError } from "./args.ts";

/** An app module that cannot be used: it threw while loading, or exports no app. */
export class AppModuleError extends ActantError {
  override name = "AppModuleError";
  /** The module's path, resolved. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super("BAD_APP_MODULE", message, options);
    this.path = path;
  }
}

// Rebuilt as its own class when it comes back as data.
registerErrorClasses({ AppModuleError });

/**
 * The app that the module at `path` (relative to the working directory) exports as its default
 * export or as `app`.
 *
 * @throws {UsageError} when nothing is at `path`, or a directory is.
 * @throws {AppModuleError} when the module throws while it loads, or exports no app.
 */
export async function loadAppModule(path: string): Promise<ActantApp> {
  const resolved = resolvePath(path);
  const named = path === resolved ? path : `${path} (${resolved})`;
  const file = await identify(resolved);
  if (file === undefined) {
    throw new UsageError(`--app ${named}: no such file; name the module that exports your ActantApp`, "worker");
  }
  if (file.isDirectory) {
    throw new UsageError(`--app ${named} is a directory; name the module file that exports your ActantApp`, "worker");
  }
  let module: Record<string, unknown>;
  try {
    module = await importModule<Record<string, unknown>>(moduleUrl(resolved));
  } catch (error) {
    const shown = error instanceof Error && typeof error.stack === "string" && error.stack !== ""
      ? userStack(error.stack.includes(error.message) ? error.stack : `${describe(error)}\n${error.stack}`)
      : describe(error);
    throw new AppModuleError(resolved, `The app module ${named} threw while loading:\n${shown}`, { cause: error });
  }
  const app = module.default ?? module.app;
  if (isActantApp(app)) return app;
  throw new AppModuleError(
    resolved,
    `The app module ${named} ${withoutApp(module, app)}; export it: ` +
      `\`export default app\` (or \`export const app = …\`), where app = new ActantApp("<name>") registers the tasks and actors`,
  );
}

/** The CLI's own folder, as stack frames name it (a path or a file URL). */
const CLI_DIR = new URL(".", import.meta.url);

/** A stack without the frames of the runtime's loader and of this CLI: what is left is the user's. */
function userStack(stack: string): string {
  return stack.split("\n").filter((line) => {
    const frame = /^\s+at /.test(line);
    return !frame ||
      !(line.includes("node:internal") || line.includes(CLI_DIR.href) || line.includes(CLI_DIR.pathname));
  }).join("\n");
}

/** What the module offers instead of an app. */
function withoutApp(module: Record<string, unknown>, candidate: unknown): string {
  const brand = (candidate as { [APP_BRAND]?: unknown } | null | undefined)?.[APP_BRAND];
  if (brand !== undefined) {
    return `exports an ActantApp of an incompatible copy of Actant (its brand is version ${
      String(brand)
    }; this CLI reads version ${APP_BRAND_VERSION})`;
  }
  const which = module.default !== undefined
    ? "its default export"
    : module.app !== undefined
    ? 'its export "app"'
    : undefined;
  if (which !== undefined) return `has no ActantApp: ${which} is ${kindOf(candidate)}`;
  const names = Object.keys(module);
  return names.length === 0
    ? "exports nothing"
    : `has no default export and no export "app" (it exports: ${names.join(", ")})`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a function${value.name === "" ? "" : ` (${value.name})`}`;
  if (typeof value === "object") return `an object${value.constructor?.name ? ` (${value.constructor.name})` : ""}`;
  return `a ${typeof value}`;
}
