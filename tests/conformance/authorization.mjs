// The conformance suite's authorization-server scenarios (@modelcontextprotocol/conformance
// 0.2.0 `authorization --url <issuer>`) against `reflect-memory serve --http`.
//
// The suite's authorization-code scenario prints an authorization URL and waits for a person
// to sign in and consent in a browser. This script is that person: it follows the URL with
// plain HTTP — sign-in form (with its CSRF cookie), consent form (vendor claude) — and lets
// the final redirect reach the suite's callback. Everything the suite checks (metadata, PKCE,
// state, iss, the token response) is then the suite's own verdict.
//
// Usage: node authorization.mjs <reflect-memory> <conformance index.js>
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

import { resolve } from 'node:path';
const [binary, suite] = process.argv.slice(2).map((p) => resolve(p));
const work = mkdtempSync(join(tmpdir(), 'rm-authz-'));
const db = join(work, 'memory.db');
const email = 'conformance@example.com';
const password = 'correct horse battery staple';

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const cli = (args, input) => execFileSync(binary, [...args, '--db', db], { input, encoding: 'utf8' });
cli(['user', 'add', email]);
cli(['user', 'set-password', email], password + '\n');

const port = await freePort();
const callbackPort = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const server = spawn(binary, ['serve', '--http', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => (serverLog += d));
let status = 1;
try {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${issuer}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  // The suite's public client, registered as Claude registers (RFC 7591).
  const registered = await fetch(`${issuer}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'MCP conformance suite',
      redirect_uris: [`http://127.0.0.1:${callbackPort}/callback`],
      token_endpoint_auth_method: 'none',
    }),
  }).then((r) => r.json());

  const run = spawn(process.execPath, [suite, 'authorization', '--url', issuer, '--client-id', registered.client_id,
    '--resource', `${issuer}/mcp`, '--port', String(callbackPort)], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let driven = false;
  const exited = new Promise((resolve) => run.on('exit', resolve));
  const onData = (d) => {
    output += d;
    process.stdout.write(d);
    const url = output.match(/^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m);
    if (url && !driven) {
      driven = true;
      actAsPerson(url[1]).catch((e) => {
        console.error('driving the browser steps failed:', e);
        run.kill();
      });
    }
  };
  run.stdout.on('data', onData);
  run.stderr.on('data', onData);
  const code = await exited;
  const summary = output.match(/Total: (\d+) passed, (\d+) failed/);
  const grant = output.match(/authorization-code-grant: (\d+) passed, (\d+) failed/);
  if (code === 0 && summary && summary[2] === '0' && grant && grant[1] !== '0') {
    console.log(`authorization conformance: ${summary[1]} passed, 0 failed`);
    status = 0;
  } else {
    console.error(`authorization conformance failed (exit ${code}); server log:\n${serverLog}`);
  }
} finally {
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.exit(status);

// Signs in and consents, as a person in a browser would.
async function actAsPerson(authorizationUrl) {
  const jar = new Map();
  const send = async (url, init = {}) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  };
  const field = (html, name) => {
    const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
    if (!m) throw new Error(`no ${name} field in:\n${html}`);
    return m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  };
  const form = (values) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: issuer },
    body: new URLSearchParams(values).toString(),
  });

  let response = await send(authorizationUrl);  // not signed in: to /signin?next=...
  const signin = new URL(response.headers.get('location'), issuer);
  const signinPage = await (await send(signin)).text();
  response = await send(`${issuer}/signin`, form({ csrf: field(signinPage, 'csrf'), next: field(signinPage, 'next'), email, password }));
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const consentPage = await (await send(new URL(response.headers.get('location'), issuer))).text();
  response = await send(`${issuer}/oauth/authorize`, form({
    csrf: field(consentPage, 'csrf'), request: field(consentPage, 'request'), vendor: 'claude', write: '1', decision: 'allow',
  }));
  const back = response.headers.get('location');
  if (response.status !== 302 || !back) throw new Error(`consent answered ${response.status}`);
  await fetch(back);  // the suite's callback server takes it from here
}
