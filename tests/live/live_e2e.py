#!/usr/bin/env python3
"""Live changes end to end against the real binary (docs/PROTOCOL.md, "Live changes").

One store, one user with a claude key and a cursor key. Listeners in both eras, over stdio and
HTTP, each as claude; writes come from the other transport and from cursor. Checks: a memory
claude may read is notified (with the subscription id in the modern era) within 100 ms; one only
cursor may read is never mentioned; a delete of a memory claude could read is notified; the listen
ends with its result when the stream is closed by the server (stdio: end of input) or is cancelled.
"""
import argparse, json, os, re, select, socket, subprocess, sys, tempfile, time

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(binary, db, *args):
    out = subprocess.run([binary, *args, "--db", db], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{args}: {out.stderr}")
    return out.stdout + out.stderr


class Stdio:
    def __init__(self, binary, db, key):
        env = dict(os.environ, REFLECT_API_KEY=key)
        self.p = subprocess.Popen([binary, "serve", "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env, bufsize=0)
        self.buf = b""
        self.next_id = 100
        self.backlog = []  # messages read while waiting for a response

    def send(self, msg):
        self.p.stdin.write((json.dumps(msg) + "\n").encode())

    def request(self, method, params, rid=None):
        self.next_id += 1
        rid = rid if rid is not None else self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def read(self, timeout=2.0):
        """All complete lines that arrive within `timeout` (returns early once something came and 50 ms pass quietly)."""
        out, deadline = self.backlog, time.time() + timeout
        self.backlog = []
        while time.time() < deadline:
            r, _, _ = select.select([self.p.stdout], [], [], 0.05)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buf += chunk
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    out.append((time.time(), json.loads(line)))
        return out

    def call(self, name, args):
        rid = self.request("tools/call", {"_meta": META, "name": name, "arguments": args})
        for _ in range(40):
            got = self.read(0.1)
            for i, (t, m) in enumerate(got):
                if m.get("id") == rid:
                    self.backlog.extend(got[i + 1:])
                    return m["result"]["structuredContent"]
                self.backlog.append((t, m))
        raise RuntimeError("no answer to " + name)


class Http:
    def __init__(self, port, key):
        self.port, self.key = port, key

    def raw(self, method, body=None, headers=()):
        s = socket.create_connection(("127.0.0.1", self.port))
        data = json.dumps(body) if body is not None else ""
        head = [f"{method} /mcp HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {self.key}",
                "Accept: application/json, text/event-stream"]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        head += list(headers)
        s.sendall(("\r\n".join(head) + "\r\n\r\n" + data).encode())
        return s

    def post(self, body, headers=()):
        s = self.raw("POST", body, headers)
        s.settimeout(5)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            m = re.search(rb"content-length: (\d+)", head, re.I)
            if m and len(rest) >= int(m.group(1)):
                break
            if rest.endswith(b"0\r\n\r\n"):
                break
        s.close()
        head, _, rest = data.partition(b"\r\n\r\n")
        return head.decode(), rest.decode()

    def call(self, name, args, session=None):
        headers = ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", f"Mcp-Name: {name}"]
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"_meta": META, "name": name, "arguments": args}}
        if session:
            body["params"].pop("_meta")
            headers = [f"Mcp-Session-Id: {session}", "MCP-Protocol-Version: 2025-11-25"]
        _, rest = self.post(body, headers)
        m = re.search(r"\{.*\}", rest, re.S)
        return json.loads(m.group(0))["result"]["structuredContent"]


def events_of(sock, timeout):
    """(arrival time, message) of SSE events read from an open stream within `timeout`."""
    sock.setblocking(False)
    out, deadline, buf = [], time.time() + timeout, b""
    while time.time() < deadline:
        r, _, _ = select.select([sock], [], [], 0.05)
        if not r:
            if out:
                break
            continue
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
        for m in re.finditer(rb"data: (\{.*?\})\r?\n", buf):
            out.append((time.time(), json.loads(m.group(1))))
        buf = buf[buf.rfind(b"data: "):] if out else buf
        buf = b"" if out else buf
    return out


def uris(messages, method="notifications/resources/updated"):
    return [m["params"]["uri"] for _, m in messages if m.get("method") == method]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    binary = ap.parse_args().binary
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "store.db")
    run(binary, db, "user", "add", "live@example.com")
    keys = {}
    for vendor in ("claude", "cursor"):
        keys[vendor] = re.search(r"rm_live_[0-9a-f]{48}", run(binary, db, "key", "create", "--user", "live@example.com",
                                                               "--vendor", vendor)).group(0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{port}", "--db", db], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        http_claude, http_cursor = Http(port, keys["claude"]), Http(port, keys["cursor"])

        # --- stdio, modern era: listen as claude; writes over HTTP as cursor
        st = Stdio(binary, db, keys["claude"])
        st.request("subscriptions/listen", {"_meta": META, "notifications": {"resourcesListChanged": True,
                                                                               "resourceSubscriptions": ["memory://{id}"]}}, "S1")
        ack = st.read(1)
        check(ack and ack[0][1]["method"] == "notifications/subscriptions/acknowledged", "stdio: acknowledged first")
        # The stdio server is another process: it does not see HTTP's writes (the feed is per process);
        # so the writes come from the stdio process itself, through a second request on the same pipe.
        both = st.call("write_memory", {"title": "both", "content": "c", "allowed_vendors": ["*"]})
        hidden_writer = Stdio(binary, db, keys["cursor"])
        hidden = st.call("write_memory", {"title": "not for claude", "content": "c", "allowed_vendors": ["cursor"]})
        got = st.read(0.5)
        check(f"memory://{both['memory']['id']}" in uris(got), "stdio modern: a memory claude may read is notified")
        check(f"memory://{hidden['memory']['id']}" not in json.dumps([m for _, m in got]),
              "stdio modern: a memory hidden from claude is never mentioned")
        check(all(m["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "S1" for _, m in got if "method" in m
                  and m["method"].startswith("notifications/resources")), "stdio modern: every notification carries the subscription id")
        deleted = st.call("delete_memory", {"id": both["memory"]["id"]})
        got = st.read(0.5)
        if f"memory://{both['memory']['id']}" not in uris(got):
            print("delete answered", deleted, "then", got)
        check(f"memory://{both['memory']['id']}" in uris(got), "stdio modern: a delete of a memory claude could read is notified")
        st.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "S1"}})
        st.call("write_memory", {"title": "after cancel", "content": "c"})
        check(uris(st.read(0.3)) == [], "stdio modern: nothing after notifications/cancelled")
        st.request("subscriptions/listen", {"_meta": META, "notifications": {"resourcesListChanged": True}}, "S2")
        st.read(0.3)
        st.p.stdin.close()
        tail = st.read(2)
        check(any(m.get("id") == "S2" and m["result"]["resultType"] == "complete" for _, m in tail),
              "stdio modern: end of input ends the listen with its result")
        st.p.wait(5)
        hidden_writer.p.stdin.close()
        hidden_writer.p.wait(5)

        # --- stdio, handshake era: resources/subscribe
        st = Stdio(binary, db, keys["claude"])
        st.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                                                                 "clientInfo": {"name": "e2e", "version": "1"}}})
        init = st.read(1)
        check(init[0][1]["result"]["capabilities"]["resources"] == {"subscribe": True, "listChanged": True},
              "stdio handshake: resources.subscribe and listChanged declared")
        st.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        st.send({"jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": {"uri": "memory://{id}"}})
        st.read()
        st.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "write_memory", "arguments": {"title": "h", "content": "c"}}})
        got = st.read(0.5)
        written = [m for _, m in got if m.get("id") == 3][0]["result"]["structuredContent"]["memory"]["id"]
        check(f"memory://{written}" in uris(got), "stdio handshake: resources/subscribe gets updated")
        check(any(m.get("method") == "notifications/resources/list_changed" for _, m in got), "stdio handshake: list_changed")
        st.p.stdin.close()
        st.p.wait(5)

        # --- HTTP, modern era: listen as claude, write as cursor over HTTP (same process)
        listen = http_claude.raw("POST", {"jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen",
                                          "params": {"_meta": META, "notifications": {"resourcesListChanged": True,
                                                                                      "resourceSubscriptions": ["memory://{id}"]}}},
                                 ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: subscriptions/listen"])
        first = events_of(listen, 2)
        check(first and first[0][1]["method"] == "notifications/subscriptions/acknowledged", "http modern: acknowledged first")
        start = time.time()
        both = http_cursor.call("write_memory", {"title": "both", "content": "c", "allowed_vendors": ["claude", "cursor"]})
        got = events_of(listen, 1)
        check(f"memory://{both['memory']['id']}" in uris(got), "http modern: a cursor write claude may read is notified")
        if got:
            check(got[0][0] - start < 0.1, f"http modern: within 100 ms ({(got[0][0] - start) * 1000:.1f} ms incl. the write)")
        hidden = http_cursor.call("write_memory", {"title": "cursor only", "content": "c", "allowed_vendors": ["cursor"]})
        got = events_of(listen, 0.4)
        check(hidden["memory"]["id"] not in json.dumps([m for _, m in got]), "http modern: a cursor-only memory is never mentioned")
        http_cursor.call("update_memory", {"id": both["memory"]["id"], "allowed_vendors": ["cursor"]})
        got = events_of(listen, 0.5)
        check(f"memory://{both['memory']['id']}" in uris(got) and any(m.get("method") == "notifications/resources/list_changed" for _, m in got),
              "http modern: a memory claude can no longer read is notified once, with list_changed")
        http_cursor.call("update_memory", {"id": both["memory"]["id"], "title": "renamed"})
        check(uris(events_of(listen, 0.4)) == [], "http modern: later edits of it are not")
        listen.close()

        # --- HTTP, handshake era: initialize, GET stream, resources/subscribe
        head, body = http_claude.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}})
        session = re.search(r"mcp-session-id: (\S+)", head, re.I).group(1)
        legacy = [f"Mcp-Session-Id: {session}", "MCP-Protocol-Version: 2025-11-25"]
        http_claude.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, legacy)
        stream = http_claude.raw("GET", None, legacy)
        events_of(stream, 0.3)  # the head
        http_claude.post({"jsonrpc": "2.0", "id": 2, "method": "resources/subscribe", "params": {"uri": "memory://{id}"}}, legacy)
        mine = http_cursor.call("write_memory", {"title": "for both", "content": "c"})
        got = events_of(stream, 1)
        check(f"memory://{mine['memory']['id']}" in uris(got), "http handshake: the GET stream gets updated")
        hidden = http_cursor.call("write_memory", {"title": "cursor only", "content": "c", "allowed_vendors": ["cursor"]})
        got = events_of(stream, 0.4)
        check(hidden["memory"]["id"] not in json.dumps([m for _, m in got]), "http handshake: a cursor-only memory is never mentioned")
        stream.close()
    finally:
        server.terminate()
        server.wait(10)
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("all live-change checks passed")


if __name__ == "__main__":
    main()
