// Interop with the official MCP TypeScript SDK v2 client pinned to revision
// 2026-07-28: no initialize, no session; every request carries its revision in
// _meta. It drives the real binary over stdio (as an IDE launches it) and over
// Streamable HTTP with a bearer key (as Claude's connectors reach it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { MODERN, modernToolCall } from "../common/mcp2026.mjs";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");

const dir = mkdtempSync(join(tmpdir(), "rm-interop2026-"));
const db = join(dir, "memory.db");
const cli = (...args) => execFileSync(BIN, [...args, "--db", db], { env: { PATH: process.env.PATH, HOME: dir } }).toString();

function modernClient(name) {
  return new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: { pin: MODERN } } });
}

function structured(result) {
  assert.equal(result.isError ?? false, false, JSON.stringify(result));
  return result.structuredContent;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

let stdioClient;
let httpServer;
let httpUrl;
let claudeKey;

before(async () => {
  cli("user", "add", "ada@example.com", "--plan", "pro");
  claudeKey = cli("key", "create", "--user", "ada@example.com", "--vendor", "claude").trim().split("\n").pop();
  stdioClient = modernClient("claude-code");
  await stdioClient.connect(new StdioClientTransport({
    command: BIN, args: ["serve", "--stdio", "--db", db], env: { PATH: process.env.PATH, HOME: dir }, stderr: "pipe",
  }));
  const port = await freePort();
  httpUrl = new URL(`http://127.0.0.1:${port}/mcp`);
  httpServer = spawn(BIN, ["serve", "--http", `127.0.0.1:${port}`, "--db", db], { stdio: ["ignore", "ignore", "pipe"] });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  await stdioClient?.close();
  if (httpServer) { httpServer.kill("SIGTERM"); await new Promise((r) => httpServer.once("exit", r)); }
  rmSync(dir, { recursive: true, force: true });
});

test("stdio: the client speaks 2026-07-28 and discovers the server without initialize", async () => {
  assert.equal(stdioClient.getProtocolEra(), "modern");
  assert.equal(stdioClient.getNegotiatedProtocolVersion(), MODERN);
  const discovered = await stdioClient.discover();
  assert.ok(discovered.supportedVersions.includes(MODERN));
  assert.ok(discovered.supportedVersions.includes("2025-11-25"));
  assert.ok(discovered.capabilities.tools);
});

test("stdio: write, then search finds it", async () => {
  const written = structured(await stdioClient.callTool({ name: "write_memory", arguments: {
    title: "Modern stdio note", content: "The quokka lives on Rottnest Island", tags: ["animals"] } }));
  assert.equal(written.memory.origin, "claude", "clientInfo claude-code over stdio is the claude vendor");
  const found = structured(await stdioClient.callTool({ name: "search_memories", arguments: { term: "quokka" } }));
  assert.deepEqual(found.results.map((r) => r.id), [written.memory.id]);
  const tools = await stdioClient.listTools();
  assert.ok(tools.tools.some((t) => t.name === "get_memory_briefing"));
});

async function httpClient(key, name = "claude-ai") {
  const client = modernClient(name);
  await client.connect(new StreamableHTTPClientTransport(httpUrl, { authProvider: { token: async () => key } }));
  return client;
}

test("HTTP with a bearer key: discover, write, search — the key decides the vendor", async () => {
  const client = await httpClient(claudeKey);
  try {
    assert.equal(client.getProtocolEra(), "modern");
    const discovered = await client.discover();
    assert.ok(discovered.supportedVersions.includes(MODERN));
    const written = structured(await client.callTool({ name: "write_memory", arguments: {
      title: "Modern HTTP note", content: "Axolotls regrow their limbs", allowed_vendors: ["claude"] } }));
    assert.equal(written.memory.origin, "claude");
    const found = structured(await client.callTool({ name: "search_memories", arguments: { term: "axolotls" } }));
    assert.deepEqual(found.results.map((r) => r.id), [written.memory.id]);
  } finally {
    await client.close();
  }
});

test("HTTP: a listener is told of another client's write, and never of one its vendor cannot see", async () => {
  const cursorKey = cli("key", "create", "--user", "ada@example.com", "--vendor", "cursor").trim().split("\n").pop();
  const listener = await httpClient(claudeKey);
  const writer = await httpClient(cursorKey, "cursor");
  try {
    const updated = [];
    listener.setNotificationHandler("notifications/resources/updated", (n) => { updated.push(n.params.uri); });
    const subscription = await listener.listen({ resourcesListChanged: true, resourceSubscriptions: ["memory://{id}"] });
    assert.ok(subscription.honoredFilter.resourcesListChanged, JSON.stringify(subscription.honoredFilter));
    const hidden = structured(await writer.callTool({ name: "write_memory", arguments: {
      title: "Cursor only", content: "not for claude", allowed_vendors: ["cursor"] } }));
    const shared = structured(await writer.callTool({ name: "write_memory", arguments: {
      title: "For every tool", content: "written through cursor, readable by claude" } }));
    const deadline = Date.now() + 3000;
    while (!updated.includes(`memory://${shared.memory.id}`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(updated.includes(`memory://${shared.memory.id}`), `no update for the shared memory: ${updated}`);
    assert.ok(!updated.includes(`memory://${hidden.memory.id}`), "the claude listener learned a cursor-only id");
    await subscription.close();
  } finally {
    await writer.close();
    await listener.close();
  }
});

test("HTTP: the key decides the vendor even when the client's name says otherwise", async () => {
  const client = await httpClient(claudeKey, "cursor");
  try {
    const written = structured(await client.callTool({ name: "write_memory", arguments: {
      title: "Named cursor, keyed claude", content: "The okapi is a giraffe's relative" } }));
    assert.equal(written.memory.origin, "claude", "a claude key's writes are claude's whatever the client calls itself");
  } finally {
    await client.close();
  }
});

// One raw tools/call of revision 2026-07-28 (to see and replay the requestState the SDK keeps inside),
// from a client that says it can answer a form elicitation.
const RAW_DRIVER = { id: 7, clientName: "raw-driver", clientCapabilities: { elicitation: { form: {} } } };
const rawToolCall = (key, name, args, extra = {}) => modernToolCall(httpUrl, key, name, args, extra, RAW_DRIVER);

test("HTTP: a permanent delete asks the person first (input_required); the SDK answers through its elicitation handler", async () => {
  const asked = [];
  const client = new Client({ name: "claude-ai", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } });
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params);
    return { action: "accept", content: { confirm: true } };
  });
  await client.connect(new StreamableHTTPClientTransport(httpUrl, { authProvider: { token: async () => claudeKey } }));
  try {
    const written = structured(await client.callTool({ name: "write_memory", arguments: {
      title: "Obsolete roadmap", content: "replaced by the new one" } }));
    const deleted = structured(await client.callTool({ name: "delete_memory", arguments: { id: written.memory.id, permanent: true } }));
    assert.equal(deleted.deleted, true, JSON.stringify(deleted));
    assert.equal(deleted.confirmation, "confirmed");
    assert.equal(asked.length, 1, "the person was asked once");
    assert.match(asked[0].message, /Permanently delete “Obsolete roadmap”/);
  } finally {
    await client.close();
  }
});

test("HTTP: a confirmation's requestState works once — replayed or tampered it is refused and deletes nothing", async () => {
  const writer = await httpClient(claudeKey);
  let ids;
  try {
    ids = [];
    for (const title of ["Draft A", "Draft B"]) {
      ids.push(structured(await writer.callTool({ name: "write_memory", arguments: { title, content: "a draft" } })).memory.id);
    }
  } finally {
    await writer.close();
  }
  const [first, second] = ids;
  const accept = { confirm: { action: "accept", content: { confirm: true } } };

  const asked = await rawToolCall(claudeKey, "delete_memory", { id: first, permanent: true });
  assert.equal(asked.resultType, "input_required", JSON.stringify(asked));
  assert.ok(asked.inputRequests.confirm, JSON.stringify(asked));
  const state = asked.requestState;
  assert.equal(typeof state, "string");

  // A state altered by one character: refused, the memory stays.
  const flipped = state.slice(0, -2) + (state.at(-2) === "A" ? "B" : "A") + state.at(-1);
  const tampered = await rawToolCall(claudeKey, "delete_memory", { id: first, permanent: true },
    { inputResponses: accept, requestState: flipped });
  assert.equal(tampered.isError, true, JSON.stringify(tampered));
  assert.equal(tampered.structuredContent.error.code, "invalid_request_state");

  // The state bound to the first memory does not delete the second.
  const misbound = await rawToolCall(claudeKey, "delete_memory", { id: second, permanent: true },
    { inputResponses: accept, requestState: state });
  assert.equal(misbound.structuredContent.error.code, "invalid_request_state", JSON.stringify(misbound));

  const done = await rawToolCall(claudeKey, "delete_memory", { id: first, permanent: true },
    { inputResponses: accept, requestState: state });
  assert.equal(done.structuredContent.deleted, true, JSON.stringify(done));
  assert.equal(done.structuredContent.confirmation, "confirmed");

  const replayed = await rawToolCall(claudeKey, "delete_memory", { id: first, permanent: true },
    { inputResponses: accept, requestState: state });
  assert.equal(replayed.isError, true, JSON.stringify(replayed));
  assert.equal(replayed.structuredContent.error.code, "invalid_request_state");
  assert.match(replayed.structuredContent.error.message, /already used/);

  const reader = await httpClient(claudeKey);
  try {
    const kept = await reader.callTool({ name: "get_memory_by_id", arguments: { id: second } });
    assert.equal(kept.isError ?? false, false, "the second memory was never deleted");
  } finally {
    await reader.close();
  }
});
