// Interop over stdio with the official MCP TypeScript SDK client — the client
// Claude Code, Cursor and VS Code build on. It launches the real binary on a
// temporary database, exactly as an IDE would.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");

const dir = mkdtempSync(join(tmpdir(), "rm-interop-"));
const db = join(dir, "memory.db");

// The revision each connected client negotiated. The SDK's Client keeps no getter for it;
// it hands it to transport.setProtocolVersion (HTTP transports put it in a header), which
// the stdio transport lacks, so connect() adds one that records it.
const negotiatedVersion = new WeakMap();

async function connect(clientName, env = {}, capabilities = {}) {
  const transport = new StdioClientTransport({
    command: BIN,
    args: ["serve", "--stdio", "--db", db],
    env: { PATH: process.env.PATH, HOME: dir, ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: clientName, version: "1.0.0" }, { capabilities });
  transport.setProtocolVersion = (version) => negotiatedVersion.set(client, version);
  await client.connect(transport);
  return client;
}

let client;
before(async () => { client = await connect("claude-code"); });
after(async () => { await client?.close(); rmSync(dir, { recursive: true, force: true }); });

test("initialize negotiates the newest revision and describes the server", async () => {
  // The SDK asks for its newest revision; the server speaks it, so it must answer with it
  // rather than fall back to an older one.
  assert.equal(negotiatedVersion.get(client), LATEST_PROTOCOL_VERSION);
  assert.equal(LATEST_PROTOCOL_VERSION, "2025-11-25", "the pinned SDK's newest revision changed: check the server supports it");
  const info = client.getServerVersion();
  assert.equal(info.name, "reflect-memory");
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  const caps = client.getServerCapabilities();
  assert.ok(caps.tools, "tools capability");
  assert.ok(caps.resources, "resources capability");
  assert.ok(caps.prompts, "prompts capability");
  assert.equal(typeof client.getInstructions(), "string");
});

test("tools/list offers every memory tool of the contract with schemas", async () => {
  const names = [];
  let cursor;
  do {
    const page = await client.listTools({ cursor });
    for (const t of page.tools) {
      names.push(t.name);
      assert.equal(t.inputSchema.type, "object", `${t.name} inputSchema`);
      assert.ok(t.outputSchema, `${t.name} has an outputSchema`);
      assert.ok(t.annotations, `${t.name} has annotations`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  for (const expected of [
    "write_memory", "write_child_memory", "update_memory", "delete_memory", "restore_memory",
    "share_memory", "unshare_memory", "get_memory_by_id", "get_memory_versions", "read_memories",
    "get_latest_memory", "browse_memories", "get_memories_by_tag", "read_thread",
    "read_org_memories", "read_team_memories", "get_memory_briefing", "search_memories",
    "search", "fetch", "get_usage", "get_topic_cluster", "get_graph_around",
  ]) {
    assert.ok(names.includes(expected), `tools/list is missing ${expected}`);
  }
});

// The SDK validates structuredContent against each tool's outputSchema, so every
// call below also proves the declared schemas are honest.
test("a memory written through the SDK can be read, searched and fetched back", async () => {
  const written = await client.callTool({
    name: "write_memory",
    arguments: { title: "Interop rollout plan", content: "Ship the stdio transport on Tuesday", tags: ["interop"] },
  });
  assert.notEqual(written.isError, true, JSON.stringify(written));
  const id = written.structuredContent.memory?.id ?? written.structuredContent.id;
  assert.ok(id, `write_memory returned an id: ${JSON.stringify(written.structuredContent)}`);
  assert.deepEqual(JSON.parse(written.content[0].text), written.structuredContent);

  const read = await client.callTool({ name: "get_memory_by_id", arguments: { id } });
  assert.notEqual(read.isError, true, JSON.stringify(read));
  assert.match(JSON.stringify(read.structuredContent), /Ship the stdio transport on Tuesday/);

  const found = await client.callTool({ name: "search_memories", arguments: { term: "rollout" } });
  assert.notEqual(found.isError, true, JSON.stringify(found));
  assert.match(JSON.stringify(found.structuredContent), new RegExp(id));

  const chat = await client.callTool({ name: "search", arguments: { query: "rollout" } });
  assert.equal(chat.content.length, 1);
  const results = JSON.parse(chat.content[0].text).results;
  assert.equal(results[0].id, id);
  assert.equal(results[0].title, "Interop rollout plan");

  const resource = await client.readResource({ uri: `memory://${id}` });
  assert.match(resource.contents[0].text, /Ship the stdio transport on Tuesday/);
});

// Issue 18's "done when": the original's graph tools, called with the original's
// arguments by the official client (which checks each result against its outputSchema).
test("get_topic_cluster and get_graph_around answer the original's arguments; merge_similar says merged_into", async () => {
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r)}`);
    return r.structuredContent;
  };
  const root = (await call("write_memory", { title: "Graph root", content: "Kubernetes upgrade", tags: ["k8s", "ops", "upgrade"] })).memory.id;
  const reply = (await call("write_child_memory", { parent_memory_id: root, title: "Graph reply", content: "done" })).memory.id;
  const neighbour = (await call("write_memory", { title: "Graph neighbour", content: `follows ${root}`, tags: ["k8s", "ops"] })).memory.id;

  // The first answer may be provisional (the topics are computed in the background): ask again.
  let cluster = await call("get_topic_cluster", { tag: "k8s", limit: 5 });
  for (let i = 0; i < 100 && cluster.cluster.provisional; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    cluster = await call("get_topic_cluster", { tag: "k8s", limit: 5 });
  }
  assert.ok(cluster.cluster.tags.includes("ops"), JSON.stringify(cluster));
  assert.deepEqual(cluster.memories.map((m) => m.id).slice(0, 2), [neighbour, root]);

  const graph = await call("get_graph_around", { memory_id: root, min_shared_tags: 2, top_tag_similar: 5 });
  assert.deepEqual(graph.children.map((m) => m.id), [reply]);
  assert.deepEqual(graph.tag_similar.map((m) => m.id), [neighbour]);
  assert.deepEqual(graph.references.incoming.map((m) => m.id), [neighbour]);

  const fact = { title: "Graph deploy window", content: "Deploys happen on Tuesdays after 14:00 UTC." };
  const first = (await call("write_memory", fact)).memory.id;
  const merged = await call("write_memory", { ...fact, content: "Deploys happen on Tuesdays after 14:00 UTC", merge_similar: true });
  assert.equal(merged.merged_into, first);
});

test("bad arguments are a tool error naming the field, and nothing is stored", async () => {
  const count = async () =>
    (await client.callTool({ name: "browse_memories", arguments: { limit: 200 } })).structuredContent.memories.length;
  const before = await count();
  const missing = await client.callTool({ name: "write_memory", arguments: { content: "no title" } });
  assert.equal(missing.isError, true);
  assert.match(missing.content[0].text, /title/);
  const tooLong = await client.callTool({ name: "write_memory", arguments: { title: "x".repeat(501), content: "c" } });
  assert.equal(tooLong.isError, true);
  assert.match(tooLong.content[0].text, /title/);
  const badVendor = await client.callTool({ name: "write_memory", arguments: { title: "t", content: "c", allowed_vendors: ["Not A Vendor"] } });
  assert.equal(badVendor.isError, true);
  assert.match(badVendor.content[0].text, /allowed_vendors/);
  assert.equal(await count(), before);
});

test("unknown tools are a protocol error", async () => {
  await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /-32602|Unknown tool|not found/i);
});

test("resources and prompts are listed and usable", async () => {
  const templates = await client.listResourceTemplates();
  assert.ok(templates.resourceTemplates.some((t) => t.uriTemplate === "memory://{id}"));
  const resources = await client.listResources();
  assert.ok(resources.resources.length >= 1);
  assert.ok(resources.resources.every((r) => r.uri.startsWith("memory://")));
  const prompts = await client.listPrompts();
  const recall = prompts.prompts.find((p) => p.name === "recall");
  assert.ok(recall, "a recall prompt");
  const got = await client.getPrompt({ name: "recall", arguments: { topic: "rollout" } });
  assert.ok(got.messages.length >= 1);
  await assert.rejects(client.readResource({ uri: "memory://00000000-0000-4000-8000-000000000000" }), /-32002|not found/i);
});

test("a vendor-restricted memory is invisible to another surface", async () => {
  const w = await client.callTool({
    name: "write_memory",
    arguments: { title: "Claude-only secret", content: "only claude may see this", allowed_vendors: ["claude"] },
  });
  assert.notEqual(w.isError, true, JSON.stringify(w));
  const id = w.structuredContent.memory?.id ?? w.structuredContent.id;
  // Cursor, as the local owner with its vendor named, must not see it on any path.
  const cursor = await connect("cursor-vscode", { REFLECT_VENDOR: "cursor" });
  try {
    const got = await cursor.callTool({ name: "get_memory_by_id", arguments: { id } });
    assert.equal(got.isError, true);
    assert.match(got.content[0].text, /not_found/);
    const s = await cursor.callTool({ name: "search_memories", arguments: { term: "secret" } });
    assert.doesNotMatch(JSON.stringify(s.structuredContent), /Claude-only secret/);
    await assert.rejects(cursor.readResource({ uri: `memory://${id}` }), /-32002|not found/i);
  } finally {
    await cursor.close();
  }
});

test("an agent key binds the vendor: its writes carry that origin, and a contradicting --vendor is refused", async () => {
  const cli = (...args) => execFileSync(BIN, [...args, "--db", db], { env: { PATH: process.env.PATH, HOME: dir } }).toString().trim().split("\n").pop();
  cli("user", "add", "agent-owner@example.com", "--plan", "pro");
  const key = cli("key", "create", "--user", "agent-owner@example.com", "--vendor", "cursor");
  assert.match(key, /^rm_live_[0-9a-f]{48}$/);

  // Claims to be Claude, but the key says cursor: the key wins.
  const agent = await connect("claude-code", { REFLECT_API_KEY: key });
  try {
    const w = await agent.callTool({ name: "write_memory", arguments: { title: "from the agent", content: "c" } });
    assert.notEqual(w.isError, true, JSON.stringify(w));
    assert.equal(w.structuredContent.memory.origin, "cursor");
    // A different user's memories are not visible to this key.
    const s = await agent.callTool({ name: "search_memories", arguments: { term: "rollout" } });
    assert.doesNotMatch(JSON.stringify(s.structuredContent), /Interop rollout plan/);
  } finally {
    await agent.close();
  }

  const refused = spawnSync(BIN, ["serve", "--stdio", "--db", db, "--vendor", "claude"], {
    env: { PATH: process.env.PATH, HOME: dir, REFLECT_API_KEY: key }, input: "", timeout: 10000,
  });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr.toString(), /contradicts/);
  assert.equal(refused.stdout.toString(), "");

  const revoked = spawnSync(BIN, ["serve", "--stdio", "--db", db], {
    env: { PATH: process.env.PATH, HOME: dir, REFLECT_API_KEY: "rm_live_" + "0".repeat(48) }, input: "", timeout: 10000,
  });
  assert.equal(revoked.status, 1);
  assert.match(revoked.stderr.toString(), /REFLECT_API_KEY is not a valid key/);
});

test("a permanent delete asks the person first (elicitation/create): declined keeps the memory, accepted deletes it", async () => {
  const asked = [];
  let answer = { action: "decline" };
  const confirming = await connect("claude-code", {}, { elicitation: { form: {} } });
  confirming.setRequestHandler(ElicitRequestSchema, async (request) => { asked.push(request.params); return answer; });
  try {
    const written = await confirming.callTool({ name: "write_memory", arguments: {
      title: "Old launch plan", content: "superseded; delete for good" } });
    const id = written.structuredContent.memory.id;

    const declined = await confirming.callTool({ name: "delete_memory", arguments: { id, permanent: true } });
    assert.equal(declined.isError ?? false, false, JSON.stringify(declined));
    assert.equal(declined.structuredContent.deleted, false);
    assert.equal(declined.structuredContent.confirmation, "declined");
    assert.equal(asked.length, 1);
    assert.match(asked[0].message, /Permanently delete “Old launch plan”/);
    assert.equal(asked[0].requestedSchema.properties.confirm.type, "boolean");
    const kept = await confirming.callTool({ name: "get_memory_by_id", arguments: { id } });
    assert.equal(kept.isError ?? false, false, "a declined delete keeps the memory");

    answer = { action: "accept", content: { confirm: true } };
    const deleted = await confirming.callTool({ name: "delete_memory", arguments: { id, permanent: true } });
    assert.equal(deleted.structuredContent.deleted, true, JSON.stringify(deleted));
    assert.equal(deleted.structuredContent.confirmation, "confirmed");
    assert.equal(asked.length, 2);
    const gone = await confirming.callTool({ name: "get_memory_by_id", arguments: { id } });
    assert.equal(gone.isError, true, "the memory is gone for good");
  } finally {
    await confirming.close();
  }
});

test("a client without elicitation deletes permanently at once, as before", async () => {
  const written = await client.callTool({ name: "write_memory", arguments: { title: "Scratch", content: "throwaway" } });
  const id = written.structuredContent.memory.id;
  const deleted = await client.callTool({ name: "delete_memory", arguments: { id, permanent: true } });
  assert.equal(deleted.structuredContent.deleted, true, JSON.stringify(deleted));
  assert.equal(deleted.structuredContent.confirmation, undefined);
});
