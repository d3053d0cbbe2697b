// Raw requests of MCP revision 2026-07-28 over Streamable HTTP, for the node tests that need
// to see the wire (tests/interop2026/modern.test.mjs, tests/oauth/oauth.test.mjs). Only node:
// built-ins here, so it loads from any test directory whatever its node_modules hold.
import assert from "node:assert/strict";

export const MODERN = "2026-07-28";

// One request of revision 2026-07-28 with a bearer token: no initialize and no session; the
// revision, the client's name and capabilities travel in _meta, the method in Mcp-Method (and
// a tool's name in Mcp-Name). Asserts HTTP 200, no Mcp-Session-Id and no JSON-RPC error, and
// returns the result.
//   url                 the server's /mcp endpoint
//   clientName          io.modelcontextprotocol/clientInfo's name
//   clientCapabilities  io.modelcontextprotocol/clientCapabilities
//   id                  the JSON-RPC id
export async function modernRequest(url, token, method, params = {},
  { clientName = "claude-ai", clientCapabilities = {}, id = 1 } = {}) {
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
  };
  if (method === "tools/call") headers["mcp-name"] = params.name;
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": { name: clientName, version: "1" },
    "io.modelcontextprotocol/clientCapabilities": clientCapabilities,
  };
  const res = await fetch(url, {
    method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta } }),
  });
  assert.equal(res.status, 200, `${method} over ${MODERN}`);
  assert.equal(res.headers.get("mcp-session-id"), null, `no session in the ${MODERN} era`);
  const text = await res.text();
  // A JSON body, or an event stream whose last data line is the response.
  const body = res.headers.get("content-type").startsWith("text/event-stream")
    ? JSON.parse(text.split("\n").filter((l) => l.startsWith("data:")).pop().slice(5)) : JSON.parse(text);
  assert.equal(body.error, undefined, JSON.stringify(body.error));
  return body.result;
}

// One tools/call: `extra` goes into params beside name and arguments (e.g. inputResponses,
// requestState); `options` as for modernRequest.
export async function modernToolCall(url, token, name, args, extra = {}, options = {}) {
  return modernRequest(url, token, "tools/call", { name, arguments: args, ...extra }, options);
}
