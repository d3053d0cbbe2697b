// The MCP Registry entry: packaging/registry/server.json, as scripts/build-mcpb fills it in
// beside the bundle it describes, is valid under the published 2025-12-11 schema, names the
// bundle by its true SHA-256 and the binary's version, and offers the remote HTTP form with an
// Authorization header the client must ask for as a secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");
const ROOT = resolve(import.meta.dirname, "../..");
const SCHEMA_FILE = join(import.meta.dirname, "server.schema.2025-12-11.json");
const PUBLISHED_SHA256 = "3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0";

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

// Ajv in non-strict mode: the schema carries annotation keywords ("example") Ajv does not know.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
const errorsOf = (entry) => (validate(entry) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`));

// Packs once: the bundle and the entry that names it.
const dir = mkdtempSync(join(tmpdir(), "rm-registry-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const packed = spawnSync(join(ROOT, "scripts/build-mcpb"), [dir], {
  encoding: "utf8", env: { ...process.env, REFLECT_BIN: BIN },
});
assert.equal(packed.status, 0, packed.stderr);
const bundle = packed.stdout.trim();
const entry = JSON.parse(readFileSync(join(dir, "server.json"), "utf8"));

test("the schema kept for offline checks is the published one", () => {
  assert.equal(sha256(SCHEMA_FILE), PUBLISHED_SHA256);
  assert.equal(entry.$schema, JSON.parse(readFileSync(SCHEMA_FILE, "utf8")).$id);
});

test("the entry scripts/build-mcpb writes is valid under the schema", () => {
  assert.deepEqual(errorsOf(entry), []);
});

test("the entry names the bundle beside it by its SHA-256 and the binary's version", () => {
  const version = spawnSync(BIN, ["--version"], { encoding: "utf8" }).stdout.trim();
  assert.equal(entry.version, version);
  const mcpb = entry.packages.find((p) => p.registryType === "mcpb");
  assert.equal(mcpb.transport.type, "stdio");
  assert.equal(mcpb.version, version);
  assert.equal(mcpb.fileSha256, sha256(bundle));
  assert.ok(mcpb.identifier.endsWith(`/reflect-memory-${version}.mcpb`), mcpb.identifier);
});

test("the remote form asks for the Authorization header as a secret bearer key", () => {
  const remote = entry.remotes.find((r) => r.type === "streamable-http");
  assert.match(remote.url, /^https:\/\/\{host\}\/mcp$/);
  const auth = remote.headers.find((h) => h.name === "Authorization");
  assert.equal(auth.value, "Bearer {api_key}");
  assert.equal(auth.isSecret, true);
  assert.equal(auth.variables.api_key.isSecret, true);
});

test("the schema refuses entries with mistakes (so passing means something)", () => {
  const broken = (change) => {
    const copy = structuredClone(entry);
    change(copy);
    return errorsOf(copy);
  };
  assert.notDeepEqual(broken((e) => { e.description = "x".repeat(101); }), []);
  assert.notDeepEqual(broken((e) => { e.name = "no-namespace"; }), []);
  assert.notDeepEqual(broken((e) => { e.packages[0].fileSha256 = "FILLED_IN_BY_SCRIPTS_BUILD_MCPB"; }), []);
  assert.notDeepEqual(broken((e) => { e.remotes[0].url = "ftp://{host}/mcp"; }), []);
  assert.notDeepEqual(broken((e) => { delete e.version; }), []);
});
