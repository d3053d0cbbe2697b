// The dashboard (SPEC §9, issue 16) in a real browser: headless Chromium (Debian's chromium
// package, driven by puppeteer-core; nothing downloaded) does what a person does — signs in,
// writes a memory, restricts it to one AI tool, edits it and reads the diff, revokes a key,
// creates one, invites a colleague who joins in a second browser context and sees what was
// shared with the org — and each of those is checked from the other side, over MCP with the
// official SDK's Streamable HTTP client and agent keys. Then screenshots of the main pages at
// 360 px and 1280 px (saved under $SCREENSHOT_DIR), with no horizontal overflow and no console
// error or CSP violation on any of them, and markup in a title rendered as text.
//
//   REFLECT_BIN=build/reflect-memory CHROMIUM=/usr/bin/chromium node --test dashboard.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, existsSync, statSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { assertNotFound, freePort, searchIds, structured } from "./mcp_helpers.mjs";

const BIN = process.env.REFLECT_BIN;
assert.ok(BIN, "set REFLECT_BIN to the reflect-memory binary");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: set CHROMIUM (Debian: apt-get install chromium)`);
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || join(tmpdir(), "reflect-memory-screenshots");
mkdirSync(SCREENSHOT_DIR, { recursive: true });

const ADA = "ada@example.com";
const ADA_PASSWORD = "correct horse battery staple";
const BOB = "bob@example.com";
const BOB_PASSWORD = "bob's long passphrase";

const dir = mkdtempSync(join(tmpdir(), "rm-dashboard-"));
const db = join(dir, "memory.db");
const env = { PATH: process.env.PATH, HOME: dir };
const cli = (args, input) =>
  execFileSync(BIN, [...args, "--db", db], { env, input, stdio: ["pipe", "pipe", "pipe"] }).toString();
const lastLine = (text) => text.trim().split("\n").pop().trim();

let server;            // the reflect-memory process (started here; stopped by its handle)
let serverLog = "";    // its stderr, shown when a test fails
let base;              // http://127.0.0.1:PORT
let mcpUrl;
let browser;
let ada;               // ada's browser context (signed in)
let orgId;
const keys = {};       // vendor -> secret
const clients = [];    // SDK clients to close
const memories = {};   // name -> id
let failed = false;

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

// A page that records console errors, uncaught exceptions and CSP violations, and accepts the
// dashboard's confirm() dialogs (data-confirm forms) as a person clicking OK would.
async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.consoleLines = [];
  page.errors = [];
  page.on("console", (m) => {
    page.consoleLines.push(`${m.type()}: ${m.text()}`);
    if (m.type() === "error") page.errors.push(`console error: ${m.text()} (${m.location()?.url ?? "?"})`);
  });
  page.on("pageerror", (e) => page.errors.push(`page error: ${e.message}`));
  page.on("dialog", (d) => d.accept().catch(() => {}));
  // Recorded by the page itself too: a CSP violation event carries the directive and the URL.
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  return page;
}

// Where the page is and what it shows, for assertion messages.
async function where(page, response) {
  const text = await page.$eval("body", (b) => b.innerText).catch(() => "");
  return `\n  at ${page.url()}${response ? ` (HTTP ${response.status()})` : ""}\n  page: ${text.slice(0, 500)}` +
    `\n  browser console: ${page.consoleLines.slice(-5).join(" | ") || "-"}`;
}

// Clicks `selector` (or runs `action`) and waits for the navigation it starts.
async function submit(page, selectorOrAction) {
  const action = typeof selectorOrAction === "string" ? () => page.click(selectorOrAction) : selectorOrAction;
  const [response] = await Promise.all([page.waitForNavigation(), action()]);
  return response;
}

// Clicks the submit button of the form posting to `action` whose button reads `label`.
async function clickFormButton(page, action, label) {
  const handle = await page.evaluateHandle((action, label) => {
    for (const form of document.querySelectorAll("form")) {
      if (new URL(form.action).pathname !== action) continue;
      const b = [...form.querySelectorAll("button[type=submit]")].find((x) => x.textContent.trim() === label);
      if (b) return b;
    }
    return null;
  }, action, label);
  const button = handle.asElement();
  assert.ok(button, `no "${label}" button in a form posting to ${action}${await where(page)}`);
  return submit(page, () => button.click());
}

async function signIn(context, email, password) {
  const page = await newPage(context);
  await page.goto(`${base}/signin`);
  await page.type("#email", email);
  await page.type("#password", password);
  const response = await submit(page, "button[type=submit]");
  assert.equal(new URL(page.url()).pathname, "/", `signed in, on the dashboard${await where(page, response)}`);
  assert.equal(await page.$eval("nav .who", (e) => e.textContent), email, "the nav names who is signed in");
  return page;
}

// Writes a memory with the "Write a memory" form on /; returns its id (the page it lands on).
async function writeMemoryInBrowser(page, { title, content, tags = "" }) {
  await page.goto(`${base}/`);
  await page.click("details summary"); // opens "Write a memory"
  await page.type("#new-title", title);
  await page.type("#new-content", content);
  if (tags) await page.type("#new-tags", tags);
  const response = await submit(page, "form[action='/memories'] button[type=submit]");
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/memories\/[^/]+$/, `the form leads to the new memory's page${await where(page, response)}`);
  assert.equal(response.status(), 200);
  return url.pathname.slice("/memories/".length);
}

async function connectWithKey(key, name) {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

const getById = (client, id) => client.callTool({ name: "get_memory_by_id", arguments: { id } });

// The status /mcp gives a bearer token: a plain initialize, as any client's first request.
async function mcpStatus(token) {
  const res = await fetch(mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  cli(["user", "add", ADA, "--plan", "team"]);
  cli(["user", "set-password", ADA], `${ADA_PASSWORD}\n`);
  orgId = lastLine(cli(["org", "create", "Analytical Engines", "--owner", ADA]));
  for (const vendor of ["claude", "cursor"]) {
    keys[vendor] = lastLine(cli(["key", "create", "--user", ADA, "--vendor", vendor]));
    assert.match(keys[vendor], /^rm_live_[0-9a-f]{48}$/);
  }

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  mcpUrl = new URL(`${base}/mcp`);
  server = spawn(BIN, ["serve", "--http", `127.0.0.1:${port}`, "--public-url", base, "--db", db], {
    env, stdio: ["ignore", "ignore", "pipe"],
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
  ada = await browser.createBrowserContext();
});

after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (failed) process.stderr.write(`--- reflect-memory serve log (tail) ---\n${serverLog}\n`);
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

step("signed out, / sends the browser to /signin; ada signs in with her password", async () => {
  const context = await browser.createBrowserContext();
  try {
    const page = await newPage(context);
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, "/signin", `not signed in: the sign-in page${await where(page)}`);
  } finally {
    await context.close();
  }
  const page = await signIn(ada, ADA, ADA_PASSWORD);
  await page.close();
});

step("write a memory in the browser and restrict it to claude: the cursor key cannot see it, the claude key can", async () => {
  const page = await newPage(ada);
  const id = await writeMemoryInBrowser(page, {
    title: "Axolotl facts",
    content: "First line stays\nThe axolotl lives in Lake Xochimilco\nLast line stays",
    tags: "biology, dashboard-e2e",
  });
  memories.axolotl = id;
  assert.equal(await page.$eval("main h1", (h) => h.textContent), "Axolotl facts");
  assert.equal(await page.$eval("input[name=all]", (e) => e.checked), true, "a new memory is visible to all AI tools");

  // Who can see this: untick "All AI tools", tick claude only, save.
  await page.$eval("input[name=all]", (e) => { e.checked = false; });
  const boxes = await page.$$eval("input[type=checkbox][name^=v_]", (list) => list.map((e) => e.name));
  assert.ok(boxes.includes("v_claude") && boxes.includes("v_cursor"), `a checkbox per vendor in use: ${boxes}`);
  await page.$$eval("input[type=checkbox][name^=v_]", (list) => list.forEach((e) => { e.checked = e.name === "v_claude"; }));
  const saved = await clickFormButton(page, `/memories/${id}/visibility`, "Save who can see this");
  assert.equal(new URL(page.url()).pathname, `/memories/${id}`, `saving returns to the memory${await where(page, saved)}`);
  assert.equal(await page.$eval("input[name=all]", (e) => e.checked), false, "all AI tools is no longer ticked");
  assert.deepEqual(await page.$$eval("input[type=checkbox][name^=v_]:checked", (l) => l.map((e) => e.name)), ["v_claude"]);
  assert.match(await page.$eval("main", (m) => m.innerText), /visible to claude/);
  await page.close();

  const cursor = await connectWithKey(keys.cursor, "cursor");
  const claude = await connectWithKey(keys.claude, "claude-code");
  assertNotFound(await getById(cursor, id), "the claude-only memory through the cursor key");
  assert.ok(!(await searchIds(cursor, "axolotl")).includes(id), "the cursor key's search does not return it");
  const seen = structured(await getById(claude, id));
  assert.equal(seen.memory.id, id);
  assert.deepEqual(seen.memory.allowed_vendors, ["claude"]);
  assert.equal(seen.memory.origin, "dashboard", "written in the dashboard");
  assert.deepEqual(await searchIds(claude, "axolotl"), [id], "the claude key finds it");
});

step("edit the content on the page; History's diff shows the removed and the added line", async () => {
  const id = memories.axolotl;
  assert.ok(id, "needs the memory written above");
  const page = await newPage(ada);
  await page.goto(`${base}/memories/${id}`);
  const content = await page.$eval("#content", (t) => t.value);
  const edited = content.replace("The axolotl lives in Lake Xochimilco", "The axolotl regrows its limbs");
  assert.notEqual(edited, content, `the edit form holds the content: ${JSON.stringify(content)}`);
  await page.$eval("#content", (t, v) => { t.value = v; }, edited);
  const response = await clickFormButton(page, `/memories/${id}/edit`, "Save changes");
  assert.equal(new URL(page.url()).pathname, `/memories/${id}`, `saving returns to the memory${await where(page, response)}`);
  assert.match(await page.$eval("article", (a) => a.innerText), /regrows its limbs/);

  // The newest version's link: what changed after it (the edit).
  const links = await page.$$eval("a[href*='?diff=']", (l) => l.map((a) => a.getAttribute("href")));
  assert.ok(links.length >= 1, `History lists versions with diff links${await where(page)}`);
  const newest = links.sort((a, b) => Number(b.split("=").pop()) - Number(a.split("=").pop()))[0];
  const diff = await submit(page, () => page.click(`a[href='${newest}']`));
  assert.equal(diff.status(), 200);
  const removed = await page.$$eval("del.del", (l) => l.map((e) => e.textContent.trim()));
  const added = await page.$$eval("ins.ins", (l) => l.map((e) => e.textContent.trim()));
  assert.deepEqual(removed, ["- The axolotl lives in Lake Xochimilco"], `the removed line${await where(page)}`);
  assert.deepEqual(added, ["+ The axolotl regrows its limbs"], "the added line");
  const pre = await page.$eval("pre.diff", (p) => p.textContent);
  assert.match(pre, /First line stays/, "unchanged lines are shown as context");

  // The claude key sees the new content (one memory service behind both).
  const claude = await connectWithKey(keys.claude, "claude-code");
  const seen = structured(await getById(claude, id));
  assert.match(seen.memory.content, /regrows its limbs/);
  assert.doesNotMatch(seen.memory.content, /Lake Xochimilco/);
  await page.close();
});

step("revoke the cursor key on /connections: its next MCP call gets 401 within 1.5 s; a key created on the page works and is shown once", async () => {
  const cursorSession = await connectWithKey(keys.cursor, "cursor");
  assert.equal(await mcpStatus(keys.cursor), 200, "the cursor key works before it is revoked");
  const page = await newPage(ada);
  await page.goto(`${base}/connections`);
  const prefix = keys.cursor.slice(0, "rm_live_".length + 8);
  const button = (await page.evaluateHandle((prefix) => {
    for (const row of document.querySelectorAll("tr")) {
      const code = row.querySelector("code");
      if (code && code.textContent.startsWith(prefix)) return row.querySelector("form[action='/connections/keys/revoke'] button");
    }
    return null;
  }, prefix)).asElement();
  assert.ok(button, `a Revoke button on the row of the cursor key ${prefix}…${await where(page)}`);
  const revoked = await submit(page, () => button.click());
  const since = Date.now();
  assert.equal(new URL(page.url()).pathname, "/connections", `revoking returns to /connections${await where(page, revoked)}`);

  // The next call, on the session opened before, and a fresh initialize: both refused.
  let took;
  for (;;) {
    const status = await mcpStatus(keys.cursor);
    took = Date.now() - since;
    if (status === 401) break;
    assert.equal(status, 200);
    assert.ok(took < 1500, `the revoked cursor key still works ${took} ms after the page said so`);
    await sleep(50);
  }
  console.log(`# revoked key refused ${took} ms after the revoke page loaded`);
  await assert.rejects(cursorSession.callTool({ name: "search_memories", arguments: { term: "axolotl" } }),
    (e) => e.code === 401 || /401/.test(String(e.message)), "the open SDK session on the revoked key gets 401");
  const row = await page.evaluate((prefix) => {
    for (const r of document.querySelectorAll("tr")) {
      const code = r.querySelector("code");
      if (code && code.textContent.startsWith(prefix)) return r.innerText;
    }
    return "";
  }, prefix);
  assert.match(row, /revoked/, `the key's row says revoked: ${row}`);
  assert.equal(await mcpStatus(keys.claude), 200, "the claude key still works");

  // Create a key on the page: shown once.
  await page.type("#key-label", "Phone");
  await page.type("#key-vendor", "claude");
  const created = await submit(page, "form[action='/connections/keys'] button[type=submit]");
  assert.equal(created.status(), 200, `the key page${await where(page, created)}`);
  const secret = (await page.$eval("#new-key", (e) => e.textContent)).trim();
  assert.match(secret, /^rm_live_[0-9a-f]{48}$/);
  const phone = await connectWithKey(secret, "claude-code");
  const seen = structured(await getById(phone, memories.axolotl));
  assert.equal(seen.memory.id, memories.axolotl, "the new claude key sees the claude-only memory");
  const reload = await page.goto(`${base}/connections`);
  assert.equal(reload.status(), 200);
  const html = await page.content();
  assert.ok(!html.includes(secret), "the key is not shown again");
  assert.equal(await page.$("#new-key"), null);
  assert.ok(html.includes(secret.slice(0, 16)), "its prefix is listed");
  await page.close();
});

step("invite bob on /org; in a second browser context bob creates his account, joins, and sees what ada shared with the org", async () => {
  const page = await newPage(ada);
  await page.goto(`${base}/org`);
  await page.type("#invite-email", BOB);
  const invited = await submit(page, "form[action='/org/invites'] button[type=submit]");
  assert.equal(invited.status(), 200, `the invite page${await where(page, invited)}`);
  const inviteUrl = (await page.$eval("#invite-url", (e) => e.textContent)).trim();
  assert.ok(inviteUrl.startsWith(`${base}/invite/`), `an invite URL on this server: ${inviteUrl}`);

  // Ada shares a memory with the org (Sharing → "Share with my org").
  const sharedId = await writeMemoryInBrowser(page, { title: "Team handbook", content: "We ship on Thursdays." });
  memories.handbook = sharedId;
  const shared = await clickFormButton(page, `/memories/${sharedId}/share`, "Share with my org");
  assert.equal(new URL(page.url()).pathname, `/memories/${sharedId}`, `sharing returns to the memory${await where(page, shared)}`);
  assert.match(await page.$eval("main", (m) => m.innerText), /Shared with your org/);
  await page.close();

  const incognito = await browser.createBrowserContext();
  try {
    const bob = await newPage(incognito);
    const opened = await bob.goto(inviteUrl);
    assert.equal(opened.status(), 200, `the invite page${await where(bob, opened)}`);
    assert.match(await bob.$eval("h1", (h) => h.textContent), /Join Analytical Engines/);
    await bob.type("#password", BOB_PASSWORD);
    const joined = await submit(bob, "button[type=submit]");
    assert.equal(new URL(bob.url()).pathname, "/org", `bob lands on /org${await where(bob, joined)}`);
    assert.equal(await bob.$eval("nav .who", (e) => e.textContent), BOB, "signed in as bob");
    const members = await bob.$eval("main", (m) => m.innerText);
    assert.ok(members.includes(ADA) && members.includes(BOB), `both are members: ${members}`);

    await bob.goto(`${base}/`);
    const titles = await bob.$$eval("main table a[href^='/memories/']", (l) => l.map((a) => a.textContent));
    assert.ok(titles.includes("Team handbook"), `bob's memories list shows the org-shared memory: ${titles}`);
    assert.ok(!titles.includes("Axolotl facts"), "but not ada's unshared memory");
    await bob.goto(`${base}/memories/${memories.axolotl}`);
    assert.equal(await bob.$eval("main h1", (h) => h.textContent), "Not found", "ada's unshared memory is not found for bob");
    // The invite works once.
    const again = await bob.goto(inviteUrl);
    assert.equal(again.status(), 404, "a used invite link is not found");
  } finally {
    await incognito.close();
  }
});

step("screenshots of the main pages at 360 px and 1280 px: no horizontal overflow, no console error or CSP violation", async () => {
  assert.ok(memories.axolotl, "needs the memory written above");
  const pages = [
    ["memories", "/"],
    ["memory", `/memories/${memories.axolotl}`],
    ["connections", "/connections"],
    ["usage", "/usage"],
    ["org", "/org"],
  ];
  const problems = [];
  const files = [];
  for (const width of [360, 1280]) {
    const page = await newPage(ada);
    await page.setViewport({ width, height: 800 });
    for (const [name, path] of pages) {
      page.errors.length = 0;
      const response = await page.goto(`${base}${path}`, { waitUntil: "load" });
      await sleep(50); // let late console messages arrive
      if (response.status() !== 200) problems.push(`${path} @${width}: HTTP ${response.status()}`);
      const { scrollWidth, innerWidth, wide } = await page.evaluate(() => {
        const innerWidth = window.innerWidth;
        const wide = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
          .slice(0, 3).map((e) => `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + e.className : ""}>`);
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide };
      });
      if (scrollWidth > innerWidth) problems.push(`${path} @${width}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth} (wide: ${wide.join(" ")})`);
      const csp = await page.evaluate(() => window.__csp);
      for (const v of csp) problems.push(`${path} @${width}: CSP violation ${v}`);
      for (const e of page.errors) problems.push(`${path} @${width}: ${e}`);
      const file = join(SCREENSHOT_DIR, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(statSync(file).size > 1000, `${file} was written`);
      files.push(file);
    }
    await page.close();
  }
  console.log(`# screenshots: ${files.join(" ")}`);
  assert.deepEqual(problems, [], problems.join("\n"));
});

step("script in a title renders as text: nothing runs, the title is shown literally", async () => {
  const title = `<img src=x onerror="window.__xss=1">`;
  const page = await newPage(ada);
  const id = await writeMemoryInBrowser(page, { title, content: "A title with markup <script>window.__xss=2</script>" });
  await page.goto(`${base}/memories/${id}`, { waitUntil: "load" });
  await sleep(100);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran on the memory's page");
  assert.equal(await page.$eval("main h1", (h) => h.textContent), title, "the title is shown literally");
  assert.ok((await page.$eval("main", (m) => m.innerText)).includes(title), "visible as text");
  assert.equal(await page.$$eval("main img", (l) => l.length), 0, "no img element was made from the title");
  assert.equal(await page.$eval("#title", (e) => e.value), title, "the edit form holds it as a value");
  // The list shows it as text too.
  await page.goto(`${base}/`, { waitUntil: "load" });
  await sleep(100);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran on the list");
  const titles = await page.$$eval("main table a[href^='/memories/']", (l) => l.map((a) => a.textContent));
  assert.ok(titles.includes(title), `the list shows the title literally: ${titles}`);
  assert.deepEqual(page.errors, [], `no console errors: ${page.errors.join(" | ")}`);
  await page.close();
});
