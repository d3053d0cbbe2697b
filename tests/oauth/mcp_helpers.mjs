// Helpers both browser tests (oauth.test.mjs, dashboard.test.mjs) use to talk to the server.
import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";

// A loopback port nobody listens on (for the server these tests start).
export async function freePort() {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// A tool result's structuredContent, failing the test if the call was an error.
export function structured(result) {
  assert.equal(result.isError ?? false, false, JSON.stringify(result));
  return result.structuredContent;
}

// The result is the not_found tool error (what a memory the caller may not see answers).
export function assertNotFound(result, what) {
  assert.equal(result.isError, true, `${what}: expected not_found, got ${JSON.stringify(result)}`);
  assert.equal(result.structuredContent?.error?.code, "not_found", `${what}: ${JSON.stringify(result)}`);
}

// The ids search_memories finds for `term`, sorted.
export async function searchIds(client, term) {
  const found = structured(await client.callTool({ name: "search_memories", arguments: { term, limit: 50 } }));
  return found.results.map((r) => r.id).sort();
}
