// End to end through OAuth 2.1 (SPEC §8), as Claude's and ChatGPT's connectors do it: the
// official MCP SDK's OAuth client finds the authorization server from the 401 on /mcp,
// registers (DCR) or names itself by a Client ID Metadata Document, and a real browser
// (headless Chromium via puppeteer-core) signs a person in and gives consent. The token the
// SDK then holds is an agent credential for the vendor chosen on the consent page: it sees
// only the memories that vendor may see (SPEC §3). Then the refusals: a consent form without
// its CSRF token, markup in a client's name, a reused refresh token, a revoked grant, and
// password guessing — each checked for its error and for having changed nothing.
//
//   REFLECT_BIN=build/reflect-memory CHROMIUM=/usr/bin/chromium node --test oauth.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { assertNotFound, freePort, searchIds, structured } from "./mcp_helpers.mjs";
import { modernRequest } from "../common/mcp2026.mjs";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: set CHROMIUM (Debian: apt-get install chromium)`);

const EMAIL = "ada@example.com";
const PASSWORD = "correct horse battery staple";
const GUESSED_EMAIL = "grace@example.com"; // the account the password-guessing test locks
const GUESSED_PASSWORD = "another long passphrase";

const dir = mkdtempSync(join(tmpdir(), "rm-oauth-"));
const db = join(dir, "memory.db");
const env = { PATH: process.env.PATH, HOME: dir };
const cli = (args, input) =>
  execFileSync(BIN, [...args, "--db", db], { env, input, stdio: ["pipe", "pipe", "pipe"] }).toString();
const lastLine = (text) => text.trim().split("\n").pop().trim();

let server;            // the reflect-memory process
let serverLog = "";    // its stderr, shown when a test fails
let base;              // http://127.0.0.1:PORT: --public-url, so the issuer
let mcpUrl;            // <base>/mcp: the protected resource
let helper;            // the loopback server: redirect target and metadata document
let helperBase;
let callbackUrl;
let cimdUrl;
let browser;
let ownerKey;
let owner;             // an SDK client on the owner key (no vendor filter)
const memories = {};   // name -> id
let issuer;            // the authorization server's issuer, from its metadata
let claude;            // the Claude-like connection (DCR): { provider, client, clientId, ... }
let chatgpt;           // the ChatGPT-like connection (metadata document): { provider, client }
let failed = false;

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Each test body: a failure also prints the server's log (once).
function step(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

// The redirect target (RFC 8252 loopback redirect) and the Client ID Metadata Document.
// Every authorization response that reaches /callback is recorded.
const callbacks = [];
let callbackWaiters = [];
function nextCallback(timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the browser never reached the redirect URI")), timeoutMs);
    callbackWaiters.push((q) => { clearTimeout(timer); resolve(q); });
  });
}
async function startHelper() {
  const port = await freePort();
  helperBase = `http://127.0.0.1:${port}`;
  callbackUrl = `${helperBase}/callback`;
  cimdUrl = `${helperBase}/client.json`;
  helper = createHttpServer((req, res) => {
    const url = new URL(req.url, helperBase);
    if (url.pathname === "/callback") {
      const q = Object.fromEntries(url.searchParams);
      callbacks.push(q);
      const waiters = callbackWaiters;
      callbackWaiters = [];
      for (const w of waiters) w(q);
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<p>You can close this window.</p>");
    } else if (url.pathname === "/client.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        client_id: cimdUrl,
        client_name: "ChatGPT",
        redirect_uris: [callbackUrl],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => helper.listen(port, "127.0.0.1", r));
}

// An in-memory OAuthClientProvider: what a connector keeps for one server.
class MemoryProvider {
  constructor({ clientMetadata, clientInformation, redirectUrl }) {
    this._clientMetadata = clientMetadata;
    this._clientInformation = clientInformation;
    this._redirectUrl = redirectUrl;
    this._tokens = undefined;
    this._verifier = undefined;
    this.authorizationUrl = undefined;
    this.lastState = undefined;
  }
  get redirectUrl() { return this._redirectUrl; }
  get clientMetadata() { return this._clientMetadata; }
  state() { this.lastState = randomBytes(16).toString("hex"); return this.lastState; }
  clientInformation() { return this._clientInformation; }
  saveClientInformation(info) { this._clientInformation = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; }
  redirectToAuthorization(url) { this.authorizationUrl = new URL(url); }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { assert.ok(this._verifier, "no code verifier saved"); return this._verifier; }
}

function clientMetadata(name) {
  return {
    client_name: name,
    redirect_uris: [callbackUrl],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}

// A fetch that records what the SDK asked for (paths only).
function recordingFetch(log) {
  return (url, init) => {
    log.push(`${init?.method ?? "GET"} ${new URL(String(url)).pathname}`);
    return fetch(url, init);
  };
}

// A page that keeps what the browser said (CSP violations, blocked requests) for the
// failure messages.
async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.consoleLines = [];
  page.on("console", (m) => page.consoleLines.push(m.text()));
  page.on("requestfailed", (r) => page.consoleLines.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

// Where the page is and what it shows, for assertion messages.
async function where(page, response) {
  const text = await page.$eval("body", (b) => b.innerText).catch(() => "");
  return `\n  at ${page.url()}${response ? ` (HTTP ${response.status()})` : ""}\n  page: ${text.slice(0, 400)}` +
    `\n  browser console: ${page.consoleLines.slice(-5).join(" | ") || "-"}`;
}

// Types the email and password into the sign-in form and submits it.
async function signIn(page) {
  await page.type("#email", EMAIL);
  await page.type("#password", PASSWORD);
  const [response] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  return response;
}

// A person in the browser: opens the authorization URL, signs in, chooses `vendor` on the
// consent page and allows. Returns the authorization response's query (code, state, iss).
async function consentInBrowser(authorizationUrl, vendor) {
  const context = await browser.createBrowserContext(); // fresh cookies: nobody signed in
  try {
    const page = await newPage(context);
    const first = await page.goto(String(authorizationUrl));
    const signin = new URL(page.url());
    assert.equal(signin.pathname, "/signin",
      `a person who is not signed in is sent to /signin first${await where(page, first)}`);
    assert.match(signin.searchParams.get("next") ?? "", /^\/oauth\/authorize\?/);
    const signedIn = await signIn(page);
    assert.equal(new URL(page.url()).pathname, "/oauth/authorize",
      `signing in returns to the consent page${await where(page, signedIn)}`);
    const prefilled = await page.$eval("#vendor", (e) => e.value);
    if (prefilled !== vendor) {
      await page.$eval("#vendor", (e) => { e.value = ""; });
      await page.type("#vendor", vendor);
    }
    assert.equal(await page.$eval("input[name=write]", (e) => e.checked), true, "write is offered and ticked");
    const reached = nextCallback();
    const navigated = page.waitForNavigation().catch(() => null);
    await page.click("button[name=decision][value=allow]");
    let q;
    try {
      q = await reached;
    } catch (e) {
      assert.fail(`${e.message} after Allow${await where(page)}`);
    }
    await navigated;
    return { query: q, context };
  } catch (e) {
    await context.close();
    throw e;
  }
}

// A browser context with a signed-in session, for the refusal tests.
async function signedInContext() {
  const context = await browser.createBrowserContext();
  const page = await newPage(context);
  await page.goto(`${base}/signin`);
  const response = await signIn(page);
  assert.equal(new URL(page.url()).pathname, "/", `signed in, on the dashboard${await where(page, response)}`);
  await page.close();
  return context;
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

function authorizeUrl(clientId, challenge, state) {
  const url = new URL(`${base}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: "code", client_id: clientId, redirect_uri: callbackUrl, code_challenge: challenge,
    code_challenge_method: "S256", state, scope: "mcp:read mcp:write", resource: mcpUrl.href,
  }).toString();
  return url;
}

async function connectClient(transportOptions, name = "claude-ai") {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, transportOptions));
  return client;
}

async function getById(client, id) {
  return client.callTool({ name: "get_memory_by_id", arguments: { id } });
}

// The status /mcp gives a bearer token: a plain initialize, as any client's first request.
async function mcpStatus(token) {
  const res = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

// Polls until /mcp refuses `token`; returns how long that took (ms after `since`).
async function refusedWithin(token, since, limitMs) {
  for (;;) {
    const status = await mcpStatus(token);
    const elapsed = Date.now() - since;
    if (status === 401) return elapsed;
    assert.equal(status, 200, "before it is refused the token works");
    assert.ok(elapsed < limitMs, `the token still works ${elapsed} ms later (limit ${limitMs} ms)`);
    await sleep(50);
  }
}

async function tokenRequest(params) {
  const res = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: await res.json() };
}

const grants = () => JSON.parse(cli(["grant", "list", "--user", EMAIL, "--json"]));

// The number of authorization codes ever issued, read from the database when the sqlite3
// shell is installed (it is optional: the other checks of "no code" do not need it).
const SQLITE3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].find((p) => existsSync(p));
function codesIssued() {
  if (!SQLITE3) return undefined;
  return Number(execFileSync(SQLITE3, [db, "SELECT count(*) FROM oauth_codes"]).toString().trim());
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  await startHelper();
  cli(["user", "add", EMAIL]);
  cli(["user", "set-password", EMAIL], `${PASSWORD}\n`);
  cli(["user", "add", GUESSED_EMAIL]);
  cli(["user", "set-password", GUESSED_EMAIL], `${GUESSED_PASSWORD}\n`);
  ownerKey = lastLine(cli(["key", "create", "--user", EMAIL]));
  assert.match(ownerKey, /^rm_live_[0-9a-f]{48}$/);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  mcpUrl = new URL(`${base}/mcp`);
  server = spawn(BIN, ["serve", "--http", `127.0.0.1:${port}`, "--public-url", base, "--db", db], {
    env: { ...env, RM_TEST_ALLOW_LOOPBACK_CLIENT_METADATA: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  server.stderr.on("data", (d) => { serverLog = (serverLog + d).slice(-20000); });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    try { up = (await fetch(`${base}/healthz`)).ok; } catch { await sleep(100); }
  }
  assert.ok(up, `the server did not start:\n${serverLog}`);

  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
  });

  owner = await connectClient({ requestInit: { headers: { Authorization: `Bearer ${ownerKey}` } } }, "owner");
  const write = async (name, allowed) => {
    const w = structured(await owner.callTool({ name: "write_memory", arguments: {
      title: `${name} note`, content: `The zebrafish note for ${name}`, tags: ["oauth-e2e"], allowed_vendors: allowed } }));
    memories[name] = w.memory.id;
  };
  await write("claude-only", ["claude"]);
  await write("cursor-only", ["cursor"]);
  await write("chatgpt-only", ["chatgpt"]);
});

after(async () => {
  for (const c of [owner, claude?.client, chatgpt?.client]) await c?.close().catch(() => {});
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  await new Promise((r) => (helper ? helper.close(r) : r()));
  if (failed) process.stderr.write(`--- reflect-memory serve log (tail) ---\n${serverLog}\n`);
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

step("a 401 on /mcp points at the protected-resource metadata, which names this authorization server", async () => {
  const res = await fetch(mcpUrl, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) });
  assert.equal(res.status, 401);
  const challenge = res.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer /);
  assert.ok(challenge.includes(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`), challenge);
  assert.match(challenge, /scope="mcp:read mcp:write"/);
  const prm = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).json();
  assert.equal(prm.resource, mcpUrl.href);
  assert.deepEqual(prm.authorization_servers, [base]);
  const as = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
  issuer = as.issuer;
  assert.equal(issuer, base);
  assert.equal(as.client_id_metadata_document_supported, true);
  assert.equal(as.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(as.code_challenge_methods_supported, ["S256"]);
});

// The connector's way in: connect, get the 401, let the SDK discover and register (DCR), send
// the person to the authorization URL in the browser, finish with the code. Returns the
// provider (holding the tokens), a connected client, the client_id and the SDK's requests.
async function connectThroughBrowser(clientName, vendor) {
  const provider = new MemoryProvider({ clientMetadata: clientMetadata(clientName), redirectUrl: callbackUrl });
  const calls = [];
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: recordingFetch(calls) });
  const first = new Client({ name: clientName, version: "1.0.0" });
  // No token yet: the 401 starts the SDK's authorization; it ends by handing us the URL.
  await assert.rejects(first.connect(transport), UnauthorizedError);
  const url = provider.authorizationUrl;
  assert.ok(url, `the SDK asked to open no authorization URL; it requested ${calls.join(", ")}`);
  const { query, context } = await consentInBrowser(url, vendor);
  await context.close();
  assert.ok(query.code, `no code: ${JSON.stringify(query)}`);
  await transport.finishAuth(query.code);
  const client = await connectClient({ authProvider: provider }, clientName);
  return { provider, client, clientId: provider.clientInformation().client_id, calls, url, query };
}

// Registers a client by DCR directly (for the refusal tests).
async function register(name) {
  const res = await fetch(`${base}/oauth/register`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(clientMetadata(name)),
  });
  assert.equal(res.status, 201, `registration of ${JSON.stringify(name)}`);
  return res.json();
}

step("Claude-like client: the SDK discovers, registers (DCR), and a person signs in and consents as claude", async () => {
  const flow = await connectThroughBrowser("Claude", "claude");
  const { provider, calls, url, query, clientId } = flow;
  for (const expected of ["POST /mcp", "GET /.well-known/oauth-protected-resource/mcp",
    "GET /.well-known/oauth-authorization-server", "POST /oauth/register", "POST /oauth/token"]) {
    assert.ok(calls.includes(expected), `the SDK did not ${expected}: ${calls.join(", ")}`);
  }
  assert.match(clientId, /^rmc_/);
  assert.equal(url.origin + url.pathname, `${base}/oauth/authorize`);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("resource"), mcpUrl.href);
  assert.equal(query.state, provider.lastState, "state comes back unchanged");
  assert.equal(query.iss, issuer, "the authorization response names its issuer (RFC 9207)");
  const tokens = provider.tokens();
  assert.match(tokens.access_token, /^rm_at_/);
  assert.match(tokens.refresh_token, /^rm_rt_/);
  assert.deepEqual(tokens.scope.split(" ").sort(), ["mcp:read", "mcp:write"]);
  claude = flow;
  const mine = grants().filter((g) => g.client_id === clientId);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].vendor, "claude");
  assert.equal(mine[0].revoked_at, null);
});

step("the claude token sees claude's memories only, and what it writes is claude's", async () => {
  assert.ok(claude, "needs the Claude-like client's grant (the test above failed)");
  const { client } = claude;
  const seen = structured(await getById(client, memories["claude-only"]));
  assert.equal(seen.memory.id, memories["claude-only"]);
  assertNotFound(await getById(client, memories["cursor-only"]), "cursor-only memory through the claude token");
  assertNotFound(await getById(client, memories["chatgpt-only"]), "chatgpt-only memory through the claude token");
  assert.deepEqual(await searchIds(client, "zebrafish"), [memories["claude-only"]]);

  const written = structured(await client.callTool({ name: "write_memory", arguments: {
    title: "Written by the connector", content: "A zebrafish regrows its heart", tags: ["oauth-e2e"] } }));
  assert.equal(written.memory.origin, "claude");
  memories["claude-wrote"] = written.memory.id;
  const asOwner = structured(await getById(owner, written.memory.id));
  assert.equal(asOwner.memory.origin, "claude", "the owner sees the memory as claude's");
  assert.deepEqual(asOwner.memory.allowed_vendors, ["*"]);
  // The owner key is unaffected: it sees everything.
  assert.deepEqual(await searchIds(owner, "zebrafish"), Object.values(memories).sort());
});

step("the claude token in revision 2026-07-28: stateless calls see what the grant allows, and a client calling itself cursor still writes as claude", async () => {
  assert.ok(claude, "needs the Claude-like client's grant (the test above failed)");
  const token = claude.provider.tokens().access_token;
  const discovered = await modernRequest(mcpUrl, token, "server/discover");
  assert.ok(discovered.supportedVersions.includes("2026-07-28"), JSON.stringify(discovered));
  const seen = await modernRequest(mcpUrl, token, "tools/call", { name: "get_memory_by_id", arguments: { id: memories["claude-only"] } });
  assert.equal(seen.isError ?? false, false, JSON.stringify(seen));
  assert.equal(seen.structuredContent.memory.id, memories["claude-only"]);
  const hidden = await modernRequest(mcpUrl, token, "tools/call", { name: "get_memory_by_id", arguments: { id: memories["cursor-only"] } });
  assert.equal(hidden.isError, true, "a cursor-only memory through the claude token");
  // The grant decides the vendor, not the name the client gives itself.
  const written = await modernRequest(mcpUrl, token, "tools/call", { name: "write_memory", arguments: {
    title: "Stateless connector note", content: "written over 2026-07-28", allowed_vendors: ["claude"] } }, { clientName: "cursor" });
  assert.equal(written.structuredContent.memory.origin, "claude", JSON.stringify(written));
  const cleanup = await modernRequest(mcpUrl, token, "tools/call", { name: "delete_memory", arguments: { id: written.structuredContent.memory.id, permanent: true } });
  assert.equal(cleanup.structuredContent.deleted, true, JSON.stringify(cleanup));
});

step("ChatGPT-like client by Client ID Metadata Document: no registration, consent as chatgpt", async () => {
  // SDK 1.32.2 takes the metadata-document path (auth.js: client_id_metadata_document_supported
  // and provider.clientMetadataUrl) only for an https URL; this test's document is served over
  // http on loopback. So the provider starts with the client information that path would
  // store, { client_id: <document URL> }, and the SDK does the rest: discovery, PKCE, the
  // authorization URL and the token exchange.
  const provider = new MemoryProvider({
    clientMetadata: { ...clientMetadata("ChatGPT"), client_uri: helperBase },
    clientInformation: { client_id: cimdUrl },
    redirectUrl: callbackUrl,
  });
  const calls = [];
  assert.equal(await auth(provider, { serverUrl: mcpUrl, fetchFn: recordingFetch(calls) }), "REDIRECT");
  assert.ok(!calls.includes("POST /oauth/register"), `no registration with a metadata document: ${calls.join(", ")}`);
  const url = provider.authorizationUrl;
  assert.equal(url.searchParams.get("client_id"), cimdUrl);

  const { query, context } = await consentInBrowser(url, "chatgpt");
  await context.close();
  assert.ok(query.code, `no code: ${JSON.stringify(query)}`);
  assert.equal(query.iss, issuer);
  assert.equal(query.state, provider.lastState);
  assert.equal(await auth(provider, { serverUrl: mcpUrl, authorizationCode: query.code, fetchFn: recordingFetch(calls) }), "AUTHORIZED");
  assert.match(provider.tokens().access_token, /^rm_at_/);

  const client = await connectClient({ authProvider: provider }, "openai-mcp");
  chatgpt = { provider, client };
  const mine = grants().filter((g) => g.client_id === cimdUrl);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].vendor, "chatgpt");
  assert.equal(mine[0].client_name, "ChatGPT", "the name comes from the metadata document");

  // The chatgpt view: its own memory and the one open to every vendor; not claude's nor cursor's.
  const { client: c } = chatgpt;
  structured(await getById(c, memories["chatgpt-only"]));
  structured(await getById(c, memories["claude-wrote"]));
  assertNotFound(await getById(c, memories["claude-only"]), "claude-only memory through the chatgpt token");
  assertNotFound(await getById(c, memories["cursor-only"]), "cursor-only memory through the chatgpt token");
  assert.deepEqual(await searchIds(c, "zebrafish"), [memories["chatgpt-only"], memories["claude-wrote"]].sort());
  // ChatGPT's own tool shapes say the same.
  const fetched = await c.callTool({ name: "fetch", arguments: { id: memories["claude-only"] } });
  assert.equal(fetched.isError, true, `fetch of a claude-only memory: ${JSON.stringify(fetched)}`);
});

step("refused: a consent form posted without its CSRF token (403, no code)", async () => {
  const context = await signedInContext();
  try {
    const page = await newPage(context);
    const registered = await register("CSRF test client");
    const { challenge } = pkce();
    await page.goto(String(authorizeUrl(registered.client_id, challenge, "csrf-test")));
    assert.equal(new URL(page.url()).pathname, "/oauth/authorize");
    await page.$eval("input[name=csrf]", (e) => e.remove());
    const grantsBefore = grants().length;
    const codesBefore = codesIssued();
    const callbacksBefore = callbacks.length;
    const [response] = await Promise.all([page.waitForNavigation(), page.click("button[name=decision][value=allow]")]);
    assert.equal(response.status(), 403);
    assert.equal(response.headers().location, undefined, "no redirect to the client");
    assert.match(await page.content(), /expired or was sent from another site/);
    await sleep(200);
    assert.equal(callbacks.length, callbacksBefore, "the client received nothing");
    assert.equal(grants().length, grantsBefore);
    assert.equal(codesIssued(), codesBefore, "no authorization code was created");
  } finally {
    await context.close();
  }
});

step("refused: markup in a registered client_name is shown as text on the consent page", async () => {
  const registered = await register("<script>alert(1)</script>");
  const context = await signedInContext();
  try {
    const page = await newPage(context);
    let dialogs = 0;
    page.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
    const { challenge } = pkce();
    const response = await page.goto(String(authorizeUrl(registered.client_id, challenge, "xss-test")));
    assert.equal(response.status(), 200);
    assert.ok((await response.text()).includes("Connect &lt;script&gt;alert(1)&lt;/script&gt; to your memory?"),
      "the name is escaped in the page the server sent");
    assert.ok((await page.content()).includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.equal(await page.$$eval("script", (s) => s.length), 0, "no script element in the DOM");
    assert.equal(await page.$eval("h1", (h) => h.textContent), "Connect <script>alert(1)</script> to your memory?");
    assert.equal(dialogs, 0, "nothing ran");
    // The person denies: the client gets access_denied (with iss), and no code.
    const reached = nextCallback();
    await Promise.all([page.waitForNavigation(), page.click("button[name=decision][value=deny]")]);
    const q = await reached;
    assert.equal(q.error, "access_denied");
    assert.equal(q.state, "xss-test");
    assert.equal(q.iss, issuer);
    assert.equal(q.code, undefined);
    assert.equal(grants().filter((g) => g.client_id === registered.client_id).length, 0);
  } finally {
    await context.close();
  }
});

step("refused: a grant revoked with `grant revoke` stops within 1.5 s", async () => {
  // A connection of its own, as cursor: it sees the cursor memory until it is revoked.
  const cursor = await connectThroughBrowser("Cursor", "cursor");
  try {
    assert.deepEqual(await searchIds(cursor.client, "zebrafish"),
      [memories["cursor-only"], ...(memories["claude-wrote"] ? [memories["claude-wrote"]] : [])].sort());
    const token = cursor.provider.tokens().access_token;
    assert.equal(await mcpStatus(token), 200);
    const grant = grants().find((g) => g.client_id === cursor.clientId && g.revoked_at === null);
    assert.ok(grant, "the cursor grant is listed");
    assert.equal(grant.vendor, "cursor");
    cli(["grant", "revoke", grant.id]);
    const took = await refusedWithin(token, Date.now(), 1500);
    console.log(`# revoked grant refused ${took} ms after the CLI returned`);
    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: cursor.provider.tokens().refresh_token, client_id: cursor.clientId });
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, "invalid_grant", "its refresh token is refused too");
    assert.equal(refreshed.body.access_token, undefined);
    await assert.rejects(cursor.client.callTool({ name: "search_memories", arguments: { term: "zebrafish" } }),
      "the open session on the revoked grant is refused");
    assert.ok(grants().find((g) => g.id === grant.id).revoked_at, "listed as revoked");
  } finally {
    await cursor.client.close().catch(() => {});
  }
  // Nothing else changed: the other grants and the owner key work, the memories are intact.
  if (claude) assert.equal(await mcpStatus(claude.provider.tokens().access_token), 200, "the claude grant still works");
  assert.equal(await mcpStatus(ownerKey), 200);
  assert.deepEqual(await searchIds(owner, "zebrafish"), Object.values(memories).sort());
});

step("refused: a refresh token used twice is invalid_grant, and the grant's latest access token stops within 1.5 s", async () => {
  assert.ok(claude, "needs the Claude-like client's grant (an earlier test failed)");
  const { provider, client } = claude;
  const old = provider.tokens();
  // The SDK refreshes (rotation: a new refresh token replaces the old one).
  assert.equal(await auth(provider, { serverUrl: mcpUrl }), "AUTHORIZED");
  const latest = provider.tokens();
  assert.notEqual(latest.access_token, old.access_token);
  assert.notEqual(latest.refresh_token, old.refresh_token);
  assert.equal(await mcpStatus(latest.access_token), 200);

  // Someone replays the old refresh token.
  const replay = await tokenRequest({ grant_type: "refresh_token", refresh_token: old.refresh_token, client_id: claude.clientId });
  const since = Date.now();
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, "invalid_grant");
  assert.equal(replay.body.access_token, undefined, "nothing issued to the replay");
  const took = await refusedWithin(latest.access_token, since, 1500);
  console.log(`# latest access token refused ${took} ms after the replay`);
  // The rotated refresh token is dead too, and the grant shows as revoked.
  const again = await tokenRequest({ grant_type: "refresh_token", refresh_token: latest.refresh_token, client_id: claude.clientId });
  assert.equal(again.body.error, "invalid_grant");
  assert.equal(again.body.access_token, undefined);
  assert.ok(grants().find((g) => g.client_id === claude.clientId).revoked_at, "the grant is revoked");
  // The open SDK session on that grant is refused as well.
  await assert.rejects(client.callTool({ name: "get_memory_by_id", arguments: { id: memories["claude-only"] } }));
  // Nothing else changed: the owner key still works and the memories are intact.
  assert.equal(await mcpStatus(ownerKey), 200);
  assert.deepEqual(await searchIds(owner, "zebrafish"), Object.values(memories).sort());
});

step("refused: after 10 wrong passwords the account is locked for a while — even the right password gets 429", async () => {
  // Over HTTP, as a password-guessing script would: the form's CSRF cookie, then the POST.
  async function attempt(email, password) {
    const form = await fetch(`${base}/signin`);
    const html = await form.text();
    const csrf = html.match(/name="csrf" value="([0-9a-f]+)"/)?.[1];
    assert.ok(csrf, "the sign-in form carries a CSRF token");
    const cookie = (form.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("rm_signin_csrf="));
    assert.ok(cookie, "the sign-in form sets its CSRF cookie");
    const res = await fetch(`${base}/signin`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base },
      body: new URLSearchParams({ csrf, next: "/", email, password }),
    });
    const body = await res.text();
    const session = res.headers.getSetCookie().some((c) => /^rm_session=[^;]+/.test(c));
    return { status: res.status, session, body };
  }
  for (let i = 1; i <= 10; i++) {
    const r = await attempt(GUESSED_EMAIL, `wrong guess ${i}`);
    assert.equal(r.status, 401, `wrong password #${i}`);
    assert.equal(r.session, false);
  }
  const eleventh = await attempt(GUESSED_EMAIL, "wrong guess 11");
  assert.equal(eleventh.status, 429, "the 11th attempt is refused before the password is checked");
  const right = await attempt(GUESSED_EMAIL, GUESSED_PASSWORD);
  assert.equal(right.status, 429, "the right password is refused while the account is locked");
  assert.equal(right.session, false, "no session was started");
  assert.match(right.body, /Too many failed sign-ins/);
  // The limit is the account's: another person signing in from the same address is unaffected.
  const other = await attempt(EMAIL, PASSWORD);
  assert.equal(other.status, 303);
  assert.equal(other.session, true);
});
