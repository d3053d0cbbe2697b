#!/usr/bin/env python3
"""docs/DEPLOY.md, "Many machines", step by step: two `serve --http` processes on one
PostgreSQL database, behind nginx that terminates TLS and balances requests between them,
each process started with `--public-url https://localhost:PORT` (the proxy's address).

Checks what a person deploying it would: /healthz through the proxy; the OAuth metadata
and the 401 challenge name the public HTTPS address, not the processes' loopback ports;
stateless 2026-07-28 calls spread over both processes and see one store (a memory written
through one is read through the other); a 2025-era session (initialize, then calls with
Mcp-Session-Id) keeps working whichever process the proxy picks.

Needs nginx (Debian's nginx-light) and PostgreSQL 15; exits 77 (skipped) without them.

    behind_proxy.py --binary build/reflect-memory
"""

import argparse
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crash"))
from rm_harness import (HarnessError, HttpServer, Store, ThrowawayPostgres, free_port,  # noqa: E402
                        postgres_binaries_missing)

SKIPPED = 77
MODERN = "2026-07-28"
SESSION_ERA = "2025-11-25"

NGINX_CONF = """
{user}
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{}}
http {{
  log_format upstream '$upstream_addr $status $request';
  access_log {dir}/access.log upstream;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream reflect_memory {{
    server 127.0.0.1:{port_a};
    server 127.0.0.1:{port_b};
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name localhost;
    ssl_certificate {dir}/cert.pem;
    ssl_certificate_key {dir}/key.pem;
    location / {{
      proxy_pass http://reflect_memory;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}
}}
"""


class Proxy:
    """nginx terminating TLS on 127.0.0.1:<port> with a self-signed certificate for localhost."""

    def __init__(self, port_a, port_b):
        self.dir = tempfile.mkdtemp(prefix="rm-proxy-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.process = None
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", f"{self.dir}/key.pem", "-out", f"{self.dir}/cert.pem"],
                       check=True, capture_output=True, timeout=60)
        with open(f"{self.dir}/nginx.conf", "w") as f:
            # As root, nginx's workers would switch to "nobody", who cannot write in this folder.
            f.write(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", dir=self.dir,
                                      port=self.port, port_a=port_a, port_b=port_b))

    def start(self):
        self.process = subprocess.Popen(["nginx", "-p", self.dir, "-c", f"{self.dir}/nginx.conf"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise HarnessError(f"nginx exited: {self.process.stderr.read().decode()}")
            time.sleep(0.1)
        raise HarnessError("nginx did not answer /healthz through TLS")

    def connection(self, timeout=15):
        context = ssl.create_default_context(cafile=f"{self.dir}/cert.pem")  # verifies the name too
        return http.client.HTTPSConnection("localhost", self.port, context=context, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        conn = self.connection()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data

    def upstreams(self):
        """How many requests the proxy sent to each process, from its access log."""
        counts = {}
        with open(f"{self.dir}/access.log") as f:
            for line in f:
                counts[line.split()[0]] = counts.get(line.split()[0], 0) + 1
        return counts

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)


def modern_call(proxy, key, tool, arguments):
    """One stateless 2026-07-28 tools/call through the proxy; (HTTP status, JSON-RPC response)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": tool, "arguments": arguments,
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                  "io.modelcontextprotocol/clientCapabilities": {}}}}
    status, _, data = proxy.request("POST", "/mcp", json.dumps(body).encode(), {
        "Authorization": f"Bearer {key}", "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": MODERN,
        "Mcp-Method": "tools/call", "Mcp-Name": tool})
    return status, json.loads(data) if data else None


class SessionClient:
    """A 2025-era client through the proxy: one keep-alive TLS connection, one session."""

    def __init__(self, proxy, key):
        self.proxy, self.key, self.session, self.next_id = proxy, key, None, 0

    def post(self, message):
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json",
                   "Accept": "application/json, text/event-stream"}
        if self.session:
            headers.update({"Mcp-Session-Id": self.session, "MCP-Protocol-Version": SESSION_ERA})
        # A new TLS connection each time: nginx may send each to either process.
        status, response_headers, data = self.proxy.request("POST", "/mcp", json.dumps(message).encode(), headers)
        self.session = response_headers.get("mcp-session-id", self.session)
        if data and response_headers.get("content-type", "").startswith("text/event-stream"):
            events = [json.loads(line[5:]) for line in data.decode().splitlines() if line.startswith("data:")]
            data = json.dumps(events[-1]).encode() if events else b""
        return status, json.loads(data) if data else None

    def request(self, method, params):
        self.next_id += 1
        return self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})


def check(condition, message):
    if not condition:
        raise HarnessError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    if postgres_binaries_missing() or shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        print("SKIPPED: needs PostgreSQL 15 and nginx (apt-get install postgresql nginx-light)")
        return SKIPPED
    os.environ["PATH"] += os.pathsep + "/usr/sbin"

    pg = ThrowawayPostgres()
    store = Store(args.binary)
    servers, proxy = [], None
    try:
        store.db = pg.start()
        _, key = store.user_with_key("deploy@example.com")
        # The processes need the proxy's address before it exists: pick its port first.
        port_a, port_b = free_port(), free_port()
        proxy = Proxy(port_a, port_b)
        public_url = f"https://localhost:{proxy.port}"
        for port in (port_a, port_b):
            server = HttpServer(store, ["--public-url", public_url, "--rate-limit", "0"])
            server.port = port
            server.args[1] = f"127.0.0.1:{port}"
            servers.append(server.start())
        proxy.start()

        # The public address is the one every document names.
        status, _, data = proxy.request("GET", "/.well-known/oauth-protected-resource/mcp")
        check(status == 200, f"protected-resource metadata through the proxy: {status}")
        check(json.loads(data)["resource"] == public_url + "/mcp", f"metadata names {json.loads(data)['resource']}")
        status, headers, _ = proxy.request("POST", "/mcp", b"{}", {"Content-Type": "application/json"})
        check(status == 401, f"no key through the proxy: {status}")
        check(public_url + "/.well-known/oauth-protected-resource" in headers.get("www-authenticate", ""),
              f"the 401 challenge does not name the public address: {headers.get('www-authenticate')}")
        print(f"proxy: TLS on {public_url}, metadata and challenge name it")

        # Stateless calls spread over both processes and see one store.
        ids = []
        for i in range(10):
            status, response = modern_call(proxy, key, "write_memory",
                                           {"title": f"deploy {i}", "content": f"written through the proxy {i}"})
            check(status == 200 and not response["result"].get("isError"), f"write {i}: {status} {response}")
            ids.append(response["result"]["structuredContent"]["memory"]["id"])
        for memory_id in ids:
            status, response = modern_call(proxy, key, "get_memory_by_id", {"id": memory_id})
            check(status == 200 and not response["result"].get("isError"), f"read {memory_id}: {response}")
        counts = proxy.upstreams()
        check(counts.get(f"127.0.0.1:{port_a}", 0) > 0 and counts.get(f"127.0.0.1:{port_b}", 0) > 0,
              f"the proxy did not use both processes: {counts}")
        print(f"proxy: 10 writes + 10 reads, both processes served: {counts}")

        # A 2025-era session, each request on a new TLS connection (any process).
        client = SessionClient(proxy, key)
        status, response = client.request("initialize", {"protocolVersion": SESSION_ERA, "capabilities": {},
                                                         "clientInfo": {"name": "deploy-test", "version": "1"}})
        check(status == 200 and "result" in response, f"initialize through the proxy: {status} {response}")
        client.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        before = proxy.upstreams()
        for i in range(8):
            status, response = client.request("tools/call", {"name": "get_memory_by_id", "arguments": {"id": ids[i]}})
            check(status == 200 and response and not response["result"].get("isError"),
                  f"session call {i} through the proxy: {status} {response}")
        after = proxy.upstreams()
        spread = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        print(f"proxy: one 2025-era session, 8 calls, answered by {spread}")
        print("PASSED")
        return 0
    except (HarnessError, OSError, KeyError, subprocess.CalledProcessError) as e:
        return store.fail(f"{type(e).__name__}: {e}")
    finally:
        if proxy:
            proxy.stop()
        for server in servers:
            server.kill()
        pg.stop()
        store.cleanup()


if __name__ == "__main__":
    sys.exit(main())
