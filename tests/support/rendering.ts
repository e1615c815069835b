// Reading what a runtime's console.log printed for an object, the same on Node, Deno and Bun.
// (Not a test file: no runner picks it up.)

/** One line, double quotes, single spaces, no trailing comma: `{ gpt: "v1.0", bert: "v2.0" }`. */
export function normalise(rendering: string): string {
  return rendering
    .replaceAll("'", '"')
    .replace(/\s+/g, " ")
    .replace(/,\s*}/g, " }")
    .replace(/{\s*/g, "{ ")
    .replace(/\s*}/g, " }")
    .trim();
}
