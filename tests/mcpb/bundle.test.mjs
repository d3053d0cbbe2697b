// The Claude Desktop extension (packaging/mcpb): its manifest passes the official MCPB
// validator (pinned in package.json), and the bundle scripts/build-mcpb packs starts and
// serves tools when launched the way Claude Desktop launches it — ${__dirname} and
// ${user_config.*} substituted, the user's defaults applied.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");
const ROOT = resolve(import.meta.dirname, "../..");
const MANIFEST = join(ROOT, "packaging/mcpb/manifest.json");
const MCPB = join(import.meta.dirname, "node_modules/.bin/mcpb");

function mcpb(...args) {
  return spawnSync(MCPB, args, { encoding: "utf8" });
}

test("the manifest passes the pinned MCPB validator", () => {
  const run = mcpb("validate", MANIFEST);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  assert.equal(manifest.server.type, "binary");
  assert.ok(manifest.user_config.database, "the database path is the user's to set");
  assert.ok(manifest.user_config.vendor, "the vendor is the user's to set");
});

test("the validator refuses a manifest with a mistake (so passing means something)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rm-mcpb-"));
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
    manifest.server.type = "executable";  // not a server type the format knows
    const broken = join(dir, "manifest.json");
    writeFileSync(broken, JSON.stringify(manifest));
    assert.notEqual(mcpb("validate", broken).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the manifest's version is the binary's", () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  const version = spawnSync(BIN, ["--version"], { encoding: "utf8" }).stdout.trim();
  assert.equal(manifest.version, version);
});

// Substitutes what Claude Desktop substitutes in mcp_config: ${__dirname}, ${HOME} and the
// user's settings (here: the defaults, as a user who changed nothing has).
function expand(text, dirname, home, userConfig) {
  return text
    .replaceAll("${__dirname}", dirname)
    .replace(/\$\{user_config\.([a-z_]+)\}/g, (_, key) => expand(String(userConfig[key] ?? ""), dirname, home, {}))
    .replaceAll("${HOME}", home);
}

test("the packed bundle serves tools as Claude Desktop launches it", () => {
  const dir = mkdtempSync(join(tmpdir(), "rm-mcpb-"));
  try {
    const packed = spawnSync(join(ROOT, "scripts/build-mcpb"), [join(dir, "out")], {
      encoding: "utf8",
      env: { ...process.env, REFLECT_BIN: BIN },
    });
    assert.equal(packed.status, 0, packed.stderr);
    const bundle = packed.stdout.trim();
    assert.ok(bundle.endsWith(".mcpb") && existsSync(bundle), `no bundle at ${bundle}`);

    const unpacked = join(dir, "unpacked");
    assert.equal(mcpb("unpack", bundle, unpacked).status, 0);
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8"));
    const home = join(dir, "home");
    const defaults = Object.fromEntries(Object.entries(manifest.user_config).map(([k, v]) => [k, v.default]));
    // Run once as a user who changed nothing, once as one who chose another database file.
    const chosen = join(dir, "chosen.db");
    const replies = launch(manifest, unpacked, home, defaults);
    assert.ok(existsSync(join(home, ".reflect-memory/memory.db")), "no database at the manifest's default path");
    launch(manifest, unpacked, home, { ...defaults, database: chosen });
    assert.ok(existsSync(chosen), "the user's chosen database file was not used");
    const names = replies[2].result.tools.map((t) => t.name);
    assert.ok(names.includes("write_memory") && names.includes("search_memories"), names.join(","));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Starts the bundle's server with `userConfig`, sends initialize, tools/list and a
// write_memory; returns the replies by id after checking the write succeeded.
function launch(manifest, unpacked, home, userConfig) {
  const config = manifest.server.mcp_config;
  const env = Object.fromEntries(
    Object.entries(config.env).map(([k, v]) => [k, expand(v, unpacked, home, userConfig)]));

  const lines = [
    { jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "claude-desktop-test", version: "1" } } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
    { jsonrpc: "2.0", id: 3, method: "tools/call",
      params: { name: "write_memory", arguments: { title: "bundle", content: "written through the .mcpb" } } },
  ];
  const run = spawnSync(expand(config.command, unpacked, home, userConfig),
                        config.args.map((a) => expand(a, unpacked, home, userConfig)), {
    input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: home, ...env },
    timeout: 20000,
  });
  assert.equal(run.status, 0, run.stderr);
  const replies = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const byId = Object.fromEntries(replies.map((r) => [r.id, r]));
  assert.notEqual(byId[3].result.isError, true, JSON.stringify(byId[3]));
  return byId;
}
