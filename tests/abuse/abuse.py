#!/usr/bin/env python3
"""Abuse: hostile and broken clients against the real `reflect-memory serve`.

Over HTTP (127.0.0.1 only): slowloris (headers trickled, and silent connections),
10,000 connection attempts, oversized headers and bodies, pipelined garbage, and
hostile JSON — invalid UTF-8, 10^5 levels of nesting, huge numbers, duplicate keys,
oversized strings, arrays and objects. Over stdio: the same JSON payloads as lines,
plus a line over the 4 MiB limit and binary garbage.

After every stage the server must have answered each payload with a clear error
(or closed the connection), still be healthy (GET /healthz is 200, and a normal
tools/call finds a memory), have written nothing (row counts of every table
unchanged), hold no more connections than before, and its memory (VmRSS) must
stay within a generous bound of where it started.

Usage: abuse.py --binary build/reflect-memory [--only http|stdio]
"""

import argparse
import json
import os
import select
import socket
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crash"))
from rm_harness import (LOOPBACK, PROTOCOL_VERSION, HarnessError, HttpServer, McpHttpClient,  # noqa: E402
                        StdioServer, Store, rss_kib, tool_succeeded)

EMAIL = "abuse@example.com"
RSS_GROWTH_LIMIT_KIB = 128 * 1024   # generous: allocators keep freed memory
REQUEST_TIMEOUT_S = 10              # transports::HttpOptions::request_timeout (default)


# --------------------------------------------------------------------------- payloads

def tool_call(arguments, name="write_memory", request_id=1):
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}}


def json_payloads():
    """(name, raw bytes of one JSON-RPC message) — each must be refused, none may write."""
    write = json.dumps(tool_call({"title": "T", "content": "C"})).encode()
    nested = 100_000
    return [
        ("invalid UTF-8 in a string", write.replace(b'"T"', b'"T\xff\xfe"')),
        ("invalid UTF-8 in a key", write.replace(b'"title"', b'"ti\xc3tle"')),
        ("overlong UTF-8", write.replace(b'"T"', b'"\xc0\xaf"')),
        ("UTF-8 surrogate", write.replace(b'"T"', b'"\xed\xa0\x80"')),
        ("escaped lone surrogate", write.replace(b'"T"', b'"\\ud800"')),
        ("10^5 nested arrays", b"[" * nested + b"]" * nested),
        ("10^5 nested objects in arguments",
         write.replace(b'"C"', b'"C","tags":' + b'{"a":' * nested + b"1" + b"}" * nested)),
        ("huge exponent id", b'{"jsonrpc":"2.0","id":1e999999,"method":"ping"}'),
        ("10^5-digit id", b'{"jsonrpc":"2.0","id":' + b"9" * 100_000 + b',"method":"ping"}'),
        ("huge limit", json.dumps(tool_call({"limit": 1}, "read_memories")).encode()
         .replace(b'"limit": 1', b'"limit": 1e308')),
        ("integer limit overflow", json.dumps(tool_call({"limit": 1}, "read_memories")).encode()
         .replace(b'"limit": 1', b'"limit": 99999999999999999999999')),
        ("negative huge limit", json.dumps(tool_call({"limit": 1}, "read_memories")).encode()
         .replace(b'"limit": 1', b'"limit": -1e400')),
        # Duplicate keys: the last one counts (as in JSON.parse); here the last is invalid.
        ("duplicate argument keys", write.replace(b'"title": "T"', b'"title": "T", "title": 5')),
        ("duplicate jsonrpc keys", write.replace(b'"jsonrpc": "2.0"', b'"jsonrpc": "2.0", "jsonrpc": "1.0"')),
        ("content over 100,000 chars", json.dumps(tool_call({"title": "T", "content": "x" * 900_000})).encode()),
        ("100,000 tags", json.dumps(tool_call({"title": "T", "content": "C", "tags": ["t"] * 100_000})).encode()),
        ("50,000 unknown arguments", json.dumps(tool_call(
            dict({"title": "T", "content": "C"}, **{f"k{i}": i for i in range(50_000)}))).encode()),
        ("truncated JSON", write[: len(write) // 2]),
        ("NUL bytes", write.replace(b'"T"', b'"T\x00"').replace(b"{", b"\x00{", 1)),
        ("not JSON-RPC", b'{"hello":"world"}'),
        ("binary garbage", bytes(range(256)) * 64),
    ]


def is_clear_error(message):
    """A JSON-RPC error with code and message, or a tool error with code and message."""
    if not isinstance(message, dict):
        return isinstance(message, list) and message and all(is_clear_error(m) for m in message)
    if "error" in message:
        e = message["error"]
        return isinstance(e.get("code"), int) and isinstance(e.get("message"), str) and e["message"] != ""
    result = message.get("result", {})
    if result.get("isError"):
        e = result.get("structuredContent", {}).get("error", {})
        return isinstance(e.get("code"), str) and isinstance(e.get("message"), str)
    return False


# --------------------------------------------------------------------------- raw HTTP

def raw_exchange(port, data, read_timeout=5.0):
    """Sends `data` on a new connection and reads until the server closes it or goes
    quiet for `read_timeout`. Returns (parsed responses, closed by server)."""
    with socket.create_connection((LOOPBACK, port), timeout=read_timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before we finished sending
        received, closed = b"", False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
    return parse_responses(received), closed


def parse_responses(data):
    """[(status, headers dict, body bytes)] of HTTP/1.1 responses with Content-Length."""
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError(f"incomplete HTTP response: {data[:200]!r}")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        responses.append((status, headers, rest[:length]))
        data = rest[length:]
    return responses


def http_request(method, target, body=b"", headers=()):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {LOOPBACK}", *headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --------------------------------------------------------------------------- the checks

class Abuse:
    def __init__(self, store, key, user_id):
        self.store, self.key, self.user_id = store, key, user_id
        self.stages = []  # (name, seconds, rss KiB after)

    def row_counts(self):
        """Rows of every table of the store, the full-text index's own tables included."""
        conn = sqlite3.connect(f"file:{self.store.db}?mode=ro", uri=True)
        try:
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            conn.close()

    def settled_row_counts(self):
        """Row counts once the health check's own metering has landed: a read's usage row is
        committed a few milliseconds after its answer (Database::WriteLater)."""
        counts = self.row_counts()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.05)
            again = self.row_counts()
            if again == counts:
                return counts
            counts = again
        return counts

    def run_stage(self, name, server, body, health):
        before = self.settled_row_counts()
        started = time.monotonic()
        body()
        elapsed = time.monotonic() - started
        # Settled too: a refused request that was metered anyway would land a few ms later.
        after = self.settled_row_counts()
        if after != before:
            changed = {t: (before.get(t), after.get(t)) for t in before.keys() | after.keys()
                       if before.get(t) != after.get(t)}
            raise AssertionError(f"{name}: rows changed {changed}")
        if not server.alive():
            raise AssertionError(f"{name}: the server died: {server.log_tail()}")
        health()
        rss = rss_kib(server.pid)
        self.stages.append((name, elapsed, rss))
        print(f"  ok  {name:45s} {elapsed:6.1f} s   RSS {rss / 1024:6.1f} MiB", flush=True)


def seed_memory(call_tool):
    """Writes the memory the health checks search for; returns its title token."""
    token = "healthprobe" + os.urandom(4).hex()
    if tool_succeeded(call_tool(tool_call({"title": f"Health {token}", "content": "probe"}))) is None:
        raise HarnessError("could not write the health-check memory")
    return token


def search_finds(response, token):
    structured = tool_succeeded(response)
    return structured is not None and any(token in json.dumps(hit) for hit in structured.get("results", []))


def check_rss(transport, server, rss_start):
    """The server's VmRSS, now and at its peak (VmHWM: a payload's spike that was freed
    since), is less than RSS_GROWTH_LIMIT_KIB above `rss_start`."""
    rss_end, rss_peak = rss_kib(server.pid), rss_kib(server.pid, "VmHWM")
    print(f"{transport}: RSS {rss_start / 1024:.1f} -> {rss_end / 1024:.1f} MiB, peak {rss_peak / 1024:.1f} MiB "
          f"(bound +{RSS_GROWTH_LIMIT_KIB // 1024} MiB)", flush=True)
    if rss_peak - rss_start > RSS_GROWTH_LIMIT_KIB:
        raise AssertionError(f"{transport} server RSS peaked {(rss_peak - rss_start) / 1024:.0f} MiB above its start")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def run_http(store, key, user_id):
    # Access log on, as JSON lines: every line must stay JSON whatever clients send.
    server = HttpServer(store, ["--log-level", "info", "--log-json"]).start()
    abuse = Abuse(store, key, user_id)
    try:
        client = McpHttpClient(server.port, key)
        client.initialize()
        token = seed_memory(lambda m: client.post(m)[1])
        auth = [f"Authorization: Bearer {key}", "Content-Type: application/json",
                "Accept: application/json, text/event-stream",
                f"Mcp-Session-Id: {client.session_id}", f"MCP-Protocol-Version: {PROTOCOL_VERSION}"]

        def health():
            if server.healthz() != 200:
                raise AssertionError("GET /healthz is not 200")
            probe = McpHttpClient(server.port, key)
            probe.initialize()
            response = probe.call_tool("search_memories", {"term": token})
            probe.close()
            if not search_finds(response, token):
                raise AssertionError(f"a normal search_memories call failed: {response}")

        health()
        rss_start, fds_start = rss_kib(server.pid), open_fds(server.pid)
        print(f"HTTP server pid {server.pid} on port {server.port}: RSS {rss_start / 1024:.1f} MiB, "
              f"{fds_start} fds", flush=True)

        def slowloris():
            # Trickled headers, a trickled body and silent connections: each must be closed
            # once the request timeout passes, while other clients are served as usual.
            socks, trickling = [], set()
            for i in range(30):
                s = socket.create_connection((LOOPBACK, server.port))
                if i % 3 == 0:
                    s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    trickling.add(s)
                elif i % 3 == 1:
                    s.sendall(http_request("POST", "/mcp", b"", auth)[:-4] + b"\r\nContent-Length: 100000\r\n\r\n{")
                    trickling.add(s)
                socks.append(s)  # i % 3 == 2: connected, and never a byte sent
            started = time.monotonic()
            open_socks = set(socks)
            deadline = started + REQUEST_TIMEOUT_S + 8
            while open_socks and time.monotonic() < deadline:
                for s in list(open_socks & trickling):
                    try:
                        s.send(b"X")  # one more byte of header or body, every half second
                    except OSError:
                        open_socks.discard(s)  # reset by the server: closed
                readable, _, _ = select.select(list(open_socks), [], [], 0.5)
                for s in readable:
                    try:
                        if s.recv(65536) != b"":
                            continue  # a 408 reply: closed once EOF follows
                    except OSError:
                        pass  # reset: closed
                    open_socks.discard(s)
                if time.monotonic() - started < 3 and server.healthz() != 200:
                    raise AssertionError("slowloris: /healthz not answered while connections trickle")
            for s in socks:
                s.close()
            if open_socks:
                raise AssertionError(f"slowloris: {len(open_socks)} of 30 connections still open after "
                                     f"{deadline - started:.0f} s")

        def connection_flood():
            # 10,000 connection attempts, at most 500 open at once: closed politely, reset
            # (SO_LINGER 0), or left after half a request.
            attempts = 0
            for round_ in range(20):
                batch = []
                for i in range(500):
                    try:
                        s = socket.create_connection((LOOPBACK, server.port), timeout=5)
                    except OSError:
                        attempts += 1
                        continue  # refused under load: allowed
                    attempts += 1
                    if i % 3 == 1:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    elif i % 3 == 2:
                        try:
                            s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
                        except OSError:
                            pass
                    batch.append(s)
                for s in batch:
                    s.close()
            if attempts != 10_000:
                raise AssertionError(f"made {attempts} connection attempts")
            deadline = time.monotonic() + 15
            while open_fds(server.pid) > fds_start + 5 and time.monotonic() < deadline:
                time.sleep(0.2)
            if open_fds(server.pid) > fds_start + 5:
                raise AssertionError(f"{open_fds(server.pid)} fds open after the flood (started with {fds_start})")

        def expect_refused(name, data, statuses, must_close=True):
            # A request the server cannot read to its end must close the connection; a
            # well-formed one it refuses (403, 404) may keep it. Closed means our read sees
            # the end within 1.5 s: the server lingers 2 s to drain what a client still
            # sends, but ends its own side first.
            responses, closed = raw_exchange(server.port, data, read_timeout=1.5 if must_close else 1)
            if not responses or responses[-1][0] not in statuses:
                raise AssertionError(f"{name}: expected {statuses}, got {[r[0] for r in responses]}")
            try:
                body = json.loads(responses[-1][2].decode("utf-8"))
            except ValueError:
                raise AssertionError(f"{name}: the error body is not JSON: {responses[-1][2][:200]!r}")
            if not is_clear_error(body):
                raise AssertionError(f"{name}: not a clear error: {body}")
            if must_close and not closed:
                raise AssertionError(f"{name}: the connection was left open")

        def oversized_headers():
            expect_refused("one 64 KiB header", http_request("GET", "/healthz", headers=["X-Big: " + "a" * 65536]),
                           {431})
            expect_refused("2,000 headers", http_request("GET", "/healthz",
                                                         headers=[f"X-H{i}: {i}" for i in range(2000)]), {431})
            expect_refused("100 KiB target", http_request("GET", "/" + "a" * 100_000), {400, 414, 431})
            expect_refused("64 KiB bearer key", http_request("POST", "/mcp", b"{}", ["Authorization: Bearer " +
                                                                                   "k" * 65536]), {431})

        def oversized_bodies():
            big = json.dumps(tool_call({"title": "T", "content": "x" * (2 << 20)})).encode()
            expect_refused("2 MiB body", http_request("POST", "/mcp", big, auth), {413})
            expect_refused("Content-Length 10^12, no body",
                           http_request("POST", "/mcp", b"", auth).replace(b"Content-Length: 0",
                                                                           b"Content-Length: 1000000000000"), {413})
            chunk = b"x" * 65536
            chunked = (http_request("POST", "/mcp", b"", auth).replace(b"Content-Length: 0",
                                                                       b"Transfer-Encoding: chunked")
                       + (b"10000\r\n" + chunk + b"\r\n") * 40 + b"0\r\n\r\n")
            expect_refused("2.5 MiB chunked body", chunked, {413})

        def headers_not_utf8():
            # Legal in HTTP (obs-text), and quoted back in errors and the access log.
            expect_refused("Host", b"POST /mcp HTTP/1.1\r\nHost: \xff127.0.0.1\r\nContent-Length: 2\r\n\r\n{}", {403}, must_close=False)
            expect_refused("Origin", http_request("POST", "/mcp", b"{}", auth).replace(
                b"Host: 127.0.0.1", b"Host: 127.0.0.1\r\nOrigin: https://\xe9vil.example"), {403}, must_close=False)
            expect_refused("MCP-Protocol-Version", http_request("POST", "/mcp", b"{}", auth).replace(
                PROTOCOL_VERSION.encode(), b"2025-\xff"), {400}, must_close=False)
            expect_refused("Mcp-Session-Id", http_request("POST", "/mcp", b"{}", auth).replace(
                client.session_id.encode(), b"\xfe\xff"), {404}, must_close=False)
            expect_refused("target", http_request("GET", "/\xff\xfe"), {404}, must_close=False)

        def pipelined_garbage():
            pings = b"".join(http_request("POST", "/mcp", json.dumps(
                {"jsonrpc": "2.0", "id": i, "method": "ping"}).encode(), auth) for i in range(50))
            responses, closed = raw_exchange(server.port, pings + b"\x00\x01\x02 garbage\r\n\r\n")
            if [r[0] for r in responses] != [200] * 50 + [400] or not closed:
                raise AssertionError(f"pipelined: got {[r[0] for r in responses]}, closed {closed}")
            if [json.loads(r[2])["id"] for r in responses[:50]] != list(range(50)):
                raise AssertionError("pipelined: responses out of order")
            expect_refused("64 KiB of random bytes", os.urandom(65536), {400})
            expect_refused("bad header line", b"GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n", {400})
            expect_refused("bad chunk size", http_request("POST", "/mcp", b"", auth).replace(
                b"Content-Length: 0", b"Transfer-Encoding: chunked") + b"zz\r\n", {400})

        def hostile_json():
            for name, payload in json_payloads():
                responses, _ = raw_exchange(server.port,
                                            http_request("POST", "/mcp", payload, auth + ["Connection: close"]))
                if len(responses) != 1:
                    raise AssertionError(f"{name}: {len(responses)} responses")
                status, _, body = responses[0]
                if status not in (200, 400) or not is_clear_error(json.loads(body)):
                    raise AssertionError(f"{name}: not a clear error: {status} {body[:300]!r}")

        for name, body in [("slowloris (30 trickling or silent connections)", slowloris),
                           ("10,000 connection attempts", connection_flood),
                           ("oversized headers", oversized_headers),
                           ("oversized bodies", oversized_bodies),
                           ("headers that are not UTF-8", headers_not_utf8),
                           ("pipelined garbage", pipelined_garbage),
                           (f"hostile JSON ({len(json_payloads())} payloads)", hostile_json)]:
            abuse.run_stage(name, server, body, health)

        check_rss("HTTP", server, rss_start)
        print(f"HTTP: fds {fds_start} -> {open_fds(server.pid)}", flush=True)
        client.close()
        if server.terminate() != 0:
            raise AssertionError("serve --http did not exit 0 on SIGTERM")
        with open(server.log_path, "rb") as log:
            lines = log.read().splitlines()
        for line in lines:
            try:
                json.loads(line.decode("utf-8"))
            except ValueError:
                raise AssertionError(f"--log-json wrote a line that is not JSON: {line[:300]!r}")
        print(f"HTTP: all {len(lines)} log lines are JSON", flush=True)
    finally:
        server.kill()


def run_stdio(store, key, user_id):
    server = StdioServer(store, ["--log-level", "error"], env_extra={"REFLECT_API_KEY": key}).start()
    abuse = Abuse(store, key, user_id)
    try:
        server.initialize()
        token = seed_memory(lambda m: server.request(m["id"], m["method"], m["params"]))
        probe_id = [0]

        def health():
            probe_id[0] += 1
            response = server.call_tool(f"probe{probe_id[0]}", "search_memories", {"term": token})
            if not search_finds(response, token):
                raise AssertionError(f"a normal search_memories call failed: {response}")

        def next_reply(name):
            line = server.next_line(timeout=30)
            if line is None:
                raise AssertionError(f"{name}: no answer (server alive: {server.alive()})")
            message = json.loads(line)
            if not is_clear_error(message):
                raise AssertionError(f"{name}: not a clear error: {line[:300]!r}")

        health()
        rss_start = rss_kib(server.pid)
        print(f"stdio server pid {server.pid}: RSS {rss_start / 1024:.1f} MiB", flush=True)

        def hostile_json():
            for name, payload in json_payloads():
                # A line ends at "\n": the payloads' raw bytes must not contain one.
                server.send_raw(payload.replace(b"\n", b" ") + b"\n")
                next_reply(name)

        def oversized_line():
            server.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","pad":"' + b"x" * (5 << 20) + b'"}\n')
            next_reply("a 5 MiB line")

        abuse.run_stage(f"hostile JSON lines ({len(json_payloads())} payloads)", server, hostile_json, health)
        abuse.run_stage("a line over the 4 MiB limit", server, oversized_line, health)

        check_rss("stdio", server, rss_start)
        server.close_stdin()
        if server.process.wait(timeout=30) != 0:
            raise AssertionError("serve --stdio did not exit 0 at end of input")
    finally:
        server.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="path to reflect-memory")
    parser.add_argument("--only", choices=["http", "stdio"])
    opts = parser.parse_args()
    store = Store(opts.binary)
    started = time.monotonic()
    try:
        user_id, key = store.user_with_key(EMAIL)
        if opts.only in (None, "http"):
            run_http(store, key, user_id)
        if opts.only in (None, "stdio"):
            run_stdio(store, key, user_id)
    except (AssertionError, HarnessError) as e:
        return store.fail(e)
    finally:
        store.cleanup()
    print(f"abuse: all stages passed in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
