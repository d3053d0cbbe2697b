#!/usr/bin/env python3
"""Two `serve --http` processes on one PostgreSQL database, under write load (issue 14):

1. SIGKILL one process in the middle of the load: no acknowledged write is lost, and the
   other process keeps serving (its clients never see an error).
2. Stop PostgreSQL for 5 s during the load: every request then gets a clear answer — HTTP
   503 with Retry-After (the key cannot be checked) or a tool error `unavailable` — never
   a hang, a crash, a 500 or a 401; /healthz says 503; and once PostgreSQL is back both
   processes serve again without being restarted, with every acknowledged write stored.

It starts its own throwaway PostgreSQL (scripts/throwaway-postgres) so it can stop it.
Exits 77 (skipped) when Debian's PostgreSQL binaries are not installed.

    postgres_outage.py --binary build/reflect-memory
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rm_harness import (HarnessError, HttpServer, McpHttpClient, Store, ThrowawayPostgres,  # noqa: E402
                        postgres_binaries_missing, tool_succeeded)

SKIPPED = 77


class Load:
    """Writer threads, each with its own client on one server, writing with request_ids.

    Records every acknowledged write and classifies every failure, so the test can say
    exactly what clients saw."""

    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.acked = {}          # memory id -> the token its content carries
        self.outcomes = {}       # (server name, outcome) -> count
        self.unexpected = []     # answers that are not a success nor a clear unavailability
        self.stop = threading.Event()
        self.threads = []

    def count(self, server, outcome):
        with self.lock:
            self.outcomes[(server, outcome)] = self.outcomes.get((server, outcome), 0) + 1

    def successes(self, server):
        with self.lock:
            return self.outcomes.get((server, "ok"), 0)

    def writer(self, name, server, seed):
        client = None
        n = 0
        while not self.stop.is_set():
            n += 1
            token = f"w{seed}-{n}"
            try:
                if client is None:
                    client = McpHttpClient(server.port, self.key, timeout=15)
                    client.initialize(f"writer-{seed}")
                status, response = client.request("tools/call", {"name": "write_memory", "arguments": {
                    "title": f"outage {token}", "content": f"token {token}", "request_id": token}})
            except (OSError, HarnessError) as e:
                # The process is gone (killed) or refused initialize while the store was down.
                text = str(e)
                self.count(name, "503" if " 503 " in text else "connection")
                if client is not None:
                    client.close()
                client = None
                time.sleep(0.05)
                continue
            structured = tool_succeeded(response) if status == 200 else None
            if structured is not None:
                with self.lock:
                    self.acked[structured["memory"]["id"]] = token
                self.count(name, "ok")
            elif status == 503:
                self.count(name, "503")
                time.sleep(0.05)
            elif status == 200 and response and response.get("result", {}).get("isError") and \
                    response["result"].get("structuredContent", {}).get("error", {}).get("code") == "unavailable":
                self.count(name, "tool unavailable")
                time.sleep(0.05)
            else:
                self.count(name, f"unexpected {status}")
                with self.lock:
                    self.unexpected.append((name, status, response))
                time.sleep(0.05)

    def start(self, servers, per_server=2):
        seed = len(self.threads)
        for name, server in servers:
            for _ in range(per_server):
                seed += 1
                t = threading.Thread(target=self.writer, args=(name, server, seed), daemon=True)
                t.start()
                self.threads.append(t)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        self.threads = []
        self.stop = threading.Event()


def all_acknowledged_writes_stored(server, key, acked):
    """Reads every acknowledged memory back through `server`; the ids missing or wrong."""
    client = McpHttpClient(server.port, key)
    client.initialize("verifier")
    wrong = []
    for memory_id, token in acked.items():
        got = tool_succeeded(client.call_tool("get_memory_by_id", {"id": memory_id}))
        memory = (got or {}).get("memory", got or {})
        if token not in memory.get("content", ""):
            wrong.append(memory_id)
    client.close()
    return wrong


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    if postgres_binaries_missing():
        print("SKIPPED: PostgreSQL 15 binaries are not installed (apt-get install postgresql)")
        return SKIPPED

    pg = ThrowawayPostgres()
    store = Store(args.binary)
    servers = []
    try:
        store.db = pg.start()
        _, key = store.user_with_key("outage@example.com")
        extra = ["--rate-limit", "0"]
        a = HttpServer(store, extra).start()
        b = HttpServer(store, extra).start()
        servers = [a, b]

        # 1. SIGKILL one process during the load.
        load = Load(key)
        load.start([("a", a), ("b", b)])
        if not wait_for(lambda: load.successes("a") >= 20 and load.successes("b") >= 20, 30):
            return store.fail(f"the load did not get going: {load.outcomes}")
        a.kill()
        b_before = load.successes("b")
        time.sleep(2)
        b_after = load.successes("b")
        load.finish()
        print(f"SIGKILL: outcomes {load.outcomes}; process b served {b_after - b_before} writes in the 2 s after a died")
        if b_after - b_before < 10:
            return store.fail(f"process b stopped serving when a was killed: {load.outcomes}")
        if any(name == "b" for name, _, _ in load.unexpected) or load.outcomes.get(("b", "connection")):
            return store.fail(f"process b's clients saw errors: {load.unexpected[:3]} {load.outcomes}")
        wrong = all_acknowledged_writes_stored(b, key, load.acked)
        if wrong:
            return store.fail(f"{len(wrong)} of {len(load.acked)} acknowledged writes are missing: {wrong[:5]}")
        print(f"SIGKILL: all {len(load.acked)} acknowledged writes are stored")
        acked = dict(load.acked)

        # 2. Stop PostgreSQL for 5 s during the load.
        a = HttpServer(store, extra).start()
        servers = [a, b]
        load = Load(key)
        load.start([("a", a), ("b", b)])
        if not wait_for(lambda: load.successes("a") >= 10 and load.successes("b") >= 10, 30):
            return store.fail(f"the load did not get going again: {load.outcomes}")
        pg.halt()
        halted = time.monotonic()
        healthz_503 = wait_for(lambda: a.healthz() == 503 and b.healthz() == 503, 4)
        time.sleep(max(0.0, 5 - (time.monotonic() - halted)))
        during = dict(load.outcomes)
        pg.resume()
        resumed = time.monotonic()
        ok_before = (load.successes("a"), load.successes("b"))
        recovered = wait_for(lambda: load.successes("a") > ok_before[0] + 5 and load.successes("b") > ok_before[1] + 5, 20)
        recovery_s = time.monotonic() - resumed
        healthy_again = wait_for(lambda: a.healthz() == 200 and b.healthz() == 200, 5)
        load.finish()
        print(f"outage: outcomes until PostgreSQL came back {during}; after {load.outcomes}")
        print(f"outage: /healthz 503 during the outage: {healthz_503}; both processes writing again "
              f"{recovery_s:.1f} s after PostgreSQL came back: {recovered}; /healthz 200 again: {healthy_again}")
        if load.unexpected:
            return store.fail(f"answers that were neither success nor a clear unavailability: {load.unexpected[:3]}")
        clear = sum(v for (_, outcome), v in during.items() if outcome in ("503", "tool unavailable"))
        if clear == 0:
            return store.fail(f"no request was told the store was unavailable during the outage: {during}")
        if not (a.alive() and b.alive()):
            return store.fail("a server process died during the outage")
        if not healthz_503 or not recovered or not healthy_again:
            return store.fail("no full recovery without a restart (see the lines above)")
        acked.update(load.acked)
        wrong = all_acknowledged_writes_stored(a, key, acked)
        if wrong:
            return store.fail(f"{len(wrong)} of {len(acked)} acknowledged writes are missing: {wrong[:5]}")
        print(f"outage: all {len(acked)} acknowledged writes are stored; PASSED")
        return 0
    except HarnessError as e:
        return store.fail(str(e))
    finally:
        for server in servers:
            server.kill()
        pg.stop()
        store.cleanup()


if __name__ == "__main__":
    sys.exit(main())
