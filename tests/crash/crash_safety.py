#!/usr/bin/env python3
"""Crash safety: no acknowledged write is lost when the server is killed (SPEC §7).

Each cycle starts `reflect-memory serve` (alternately --stdio and --http with a bearer
key), has several clients write and update memories as fast as the server answers,
and kills the server with SIGKILL at a random moment — usually mid-write, sometimes
during start-up. Every write the server ACKNOWLEDGED (a successful tools/call
response with the memory's id) is recorded. Then the store is checked:

  * `reflect-memory check` exits 0 (integrity, foreign keys, full-text index);
  * PRAGMA integrity_check is "ok" and FTS5's own integrity-check passes;
  * every acknowledged write is there, and every acknowledged write and update
    has its usage_events row and its idempotency record (same transaction);
  * each cycle that was not killed during start-up acknowledged something (the
    writers swallow errors, so a server refusing every write would pass otherwise);
  * no memory exists without those (nothing half-written), monthly_usage agrees
    with usage_events, and each memory's versions are exactly 1..N where N is the
    number of updates its content records (the update and its version snapshot are
    one transaction); an acknowledged update is never rolled back;
  * the full-text index finds every acknowledged title, directly (FTS5 MATCH) and
    through the restarted server's search_memories tool.
At the end, seven deliberate damages to copies of the store (a usage event, a version,
an idempotency record, a full-text entry removed, ...) must each fail these checks.

Usage: crash_safety.py --binary build/reflect-memory [--cycles 10] [--seed N]
Exit status 0 when every cycle passed; the figures are printed at the end.
"""

import argparse
import json
import os
import random
import secrets
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rm_harness import (HarnessError, HttpServer, McpHttpClient, StdioServer, Store,  # noqa: E402
                        tool_succeeded)

EMAIL = "crash@example.com"
HTTP_WRITERS = 4     # concurrent HTTP clients (one connection and MCP session each)
STDIO_WINDOW = 8     # requests in flight on the stdio pipe
UPDATE_SHARE = 0.3   # fraction of operations that update one of the writer's own memories


class Ledger:
    """What the server acknowledged, shared by the writer threads of all cycles."""

    def __init__(self):
        self.lock = threading.Lock()
        self.memories = {}      # id -> {"title", "token", "request_id", "rev"} (acked rev)
        self.update_requests = []  # request_id of every acknowledged update
        self.cycle_ids = []     # ids acknowledged in the current cycle
        self.cycle_acks = 0     # writes and updates acknowledged in the current cycle
        self.acked_writes = 0
        self.acked_updates = 0

    def wrote(self, memory_id, token, request_id):
        with self.lock:
            self.memories[memory_id] = {"token": token, "request_id": request_id, "rev": 0}
            self.cycle_ids.append(memory_id)
            self.cycle_acks += 1
            self.acked_writes += 1

    def updated(self, memory_id, rev, request_id):
        with self.lock:
            entry = self.memories[memory_id]
            entry["rev"] = max(entry["rev"], rev)
            self.update_requests.append(request_id)
            self.cycle_acks += 1
            self.acked_updates += 1


class Writer:
    """One client's stream of operations: new memories, and updates of its own ones.

    Updates of one memory are never in flight twice, so each memory's content
    revision "rev N" must equal its number of versions after any crash.
    """

    def __init__(self, ledger, rng):
        self.ledger = ledger
        self.rng = rng
        self.own = {}  # memory id -> last revision sent (this writer's memories only)

    def next_operation(self):
        """(tool, arguments, on_ack) for the next call."""
        request_id = "crash-" + secrets.token_hex(8)
        if self.own and self.rng.random() < UPDATE_SHARE:
            memory_id = self.rng.choice(list(self.own))
            rev = self.own[memory_id] + 1
            self.own[memory_id] = rev
            token = self.ledger.memories[memory_id]["token"]
            args = {"id": memory_id, "content": f"rev {rev} of {token}", "request_id": request_id}
            return "update_memory", args, lambda sc: self.ledger.updated(memory_id, rev, request_id)
        token = "k" + secrets.token_hex(6)
        args = {"title": f"Crash note {token}", "content": f"rev 0 of {token}",
                "tags": ["crash"], "request_id": request_id}

        def on_ack(structured):
            memory_id = structured["memory"]["id"]
            self.ledger.wrote(memory_id, token, request_id)
            self.own[memory_id] = 0
        return "write_memory", args, on_ack


def drive_http(server, key, ledger, rng, stop):
    def writer_thread(seed):
        writer = Writer(ledger, random.Random(seed))
        try:
            client = McpHttpClient(server.port, key, timeout=10)
            client.initialize()
            while not stop.is_set():
                tool, args, on_ack = writer.next_operation()
                structured = tool_succeeded(client.call_tool(tool, args))
                if structured is not None:
                    on_ack(structured)
                elif tool == "update_memory":
                    writer.own.pop(args["id"], None)  # unknown outcome: never update it again
        except (OSError, HarnessError, ValueError):
            pass  # the server was killed under us
    threads = [threading.Thread(target=writer_thread, args=(rng.random(),)) for _ in range(HTTP_WRITERS)]
    for t in threads:
        t.start()
    return threads


def drive_stdio(server, ledger, rng, stop):
    writer = Writer(ledger, random.Random(rng.random()))
    window = threading.Semaphore(STDIO_WINDOW)
    pending = {}  # request id -> (tool, args, on_ack)
    lock = threading.Lock()

    def sender():
        n = 0
        while not stop.is_set():
            if not window.acquire(timeout=0.1):
                continue
            with lock:
                # One update per memory in flight at most (see Writer).
                busy = {a["id"] for t, a, _ in pending.values() if t == "update_memory"}
                tool, args, on_ack = writer.next_operation()
                if tool == "update_memory" and args["id"] in busy:
                    writer.own[args["id"]] -= 1
                    tool, args, on_ack = "get_usage", {}, lambda sc: None
                n += 1
                pending[n] = (tool, args, on_ack)
            if not server.send({"jsonrpc": "2.0", "id": n, "method": "tools/call",
                                "params": {"name": tool, "arguments": args}}):
                return

    def receiver():
        while True:
            line = server.next_line(timeout=1)
            if line is None:
                if not server.alive() or stop.is_set():
                    return
                continue
            message = json.loads(line)
            with lock:
                entry = pending.pop(message.get("id"), None)
            if entry is None:
                continue
            tool, args, on_ack = entry
            structured = tool_succeeded(message)
            if structured is not None:
                on_ack(structured)
            elif tool == "update_memory":
                writer.own.pop(args["id"], None)
            window.release()

    threads = [threading.Thread(target=sender), threading.Thread(target=receiver)]
    for t in threads:
        t.start()
    return threads


def check_store(store, ledger, user_id):
    """Every check of the module docstring on the database file; raises on failure."""
    done = store.cli("check", check=False)
    if done.returncode != 0:
        raise AssertionError(f"reflect-memory check exited {done.returncode}: {done.stdout}{done.stderr}")

    conn = sqlite3.connect(store.db)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if rows != [("ok",)]:
            raise AssertionError(f"PRAGMA integrity_check: {rows}")
        conn.execute("INSERT INTO memories_fts(memories_fts) VALUES('integrity-check')")

        stored = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, title, content, rowid FROM memories WHERE user_id = ?", (user_id,))}
        usage_keys = {row[0] for row in conn.execute(
            "SELECT request_id FROM usage_events WHERE user_id = ? AND operation = 'memory_write'", (user_id,))}
        idempotency = {row[0] for row in conn.execute(
            "SELECT request_id FROM idempotency_keys WHERE user_id = ?", (user_id,))}
        written_ids = {row[0] for row in conn.execute(
            "SELECT json_extract(result_json, '$.memory.id') FROM idempotency_keys "
            "WHERE user_id = ? AND json_extract(result_json, '$.memory.id') IS NOT NULL", (user_id,))}
        versions = {}
        for memory_id, number in conn.execute(
                "SELECT memory_id, version_number FROM memory_versions ORDER BY memory_id, version_number"):
            versions.setdefault(memory_id, []).append(number)

        # Every acknowledged write and update is there, with its usage row and idempotency record.
        for memory_id, acked in ledger.memories.items():
            if memory_id not in stored:
                raise AssertionError(f"acknowledged memory {memory_id} ({acked['token']}) is missing")
            title, content, _ = stored[memory_id]
            if title != f"Crash note {acked['token']}":
                raise AssertionError(f"memory {memory_id} has title {title!r}")
            rev = int(content.split()[1])
            if rev < acked["rev"]:
                raise AssertionError(f"memory {memory_id}: acknowledged update rev {acked['rev']} lost (rev {rev})")
            if f"{user_id}:{acked['request_id']}" not in usage_keys or acked["request_id"] not in idempotency:
                raise AssertionError(f"memory {memory_id}: no usage event or idempotency record for its write")
        for request_id in ledger.update_requests:
            if f"{user_id}:{request_id}" not in usage_keys or request_id not in idempotency:
                raise AssertionError(f"acknowledged update {request_id}: no usage event or idempotency record")

        # Nothing half-written: each memory came with its records, each update with its version.
        for memory_id, (title, content, _) in stored.items():
            if memory_id not in written_ids:
                raise AssertionError(f"memory {memory_id} exists without the record of its write")
            rev = int(content.split()[1])
            if versions.get(memory_id, []) != list(range(1, rev + 1)):
                raise AssertionError(f"memory {memory_id} at rev {rev} has versions {versions.get(memory_id)}")
        if len(usage_keys) != len(idempotency):
            raise AssertionError(f"{len(usage_keys)} write usage events but {len(idempotency)} idempotency records")
        (monthly,) = conn.execute("SELECT coalesce(sum(writes), 0) FROM monthly_usage WHERE user_id = ?",
                                  (user_id,)).fetchone()
        (events,) = conn.execute("SELECT count(*) FROM usage_events WHERE user_id = ? AND operation = "
                                 "'memory_write'", (user_id,)).fetchone()
        if monthly != events:
            raise AssertionError(f"monthly_usage.writes = {monthly} but {events} write usage events")

        # The full-text index finds every acknowledged title.
        for memory_id, acked in ledger.memories.items():
            hits = conn.execute("SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?",
                                (f"title:{acked['token']}",)).fetchall()
            if hits != [(stored[memory_id][2],)]:
                raise AssertionError(f"FTS5 finds {hits} for {acked['token']}, expected memory {memory_id}")
        return len(stored), sum(len(v) for v in versions.values())
    finally:
        conn.close()


def prove_checks_can_fail(store, ledger, user_id):
    """check_store must notice damage: each tampering of a copy of the store must fail it."""
    updated = [(i, m) for i, m in ledger.memories.items() if m["rev"] > 0]
    if not updated or not ledger.update_requests:
        raise AssertionError("no update was acknowledged in the whole run: the damages below need one")
    acked_id, acked = updated[0]
    update_request = ledger.update_requests[0]
    tamperings = {
        "a write's usage event removed": ("DELETE FROM usage_events WHERE request_id = ?",
                                          (f"{user_id}:{acked['request_id']}",)),
        "a version removed": ("DELETE FROM memory_versions WHERE memory_id = ? AND version_number = 1",
                              (acked_id,)),
        "an acknowledged memory removed": ("DELETE FROM memories WHERE id = ?", (acked_id,)),
        "an acknowledged update undone": ("UPDATE memories SET content = 'rev 0 of x' WHERE id = ?", (acked_id,)),
        "an update's usage event removed": ("DELETE FROM usage_events WHERE request_id = ?",
                                            (f"{user_id}:{update_request}",)),
        "a write's idempotency record removed": ("DELETE FROM idempotency_keys WHERE request_id = ?",
                                                 (acked["request_id"],)),
        # The index entry goes, the memory stays: search would silently miss it.
        "a memory's full-text entry removed": (
            "INSERT INTO memories_fts(memories_fts, rowid, title, content, tags, vis) "
            "SELECT 'delete', rid, title, content, tags, vis FROM memories_fts_source "
            "WHERE rid = (SELECT rowid FROM memories WHERE id = ?)", (acked_id,)),
    }
    for what, (sql, params) in tamperings.items():
        copy = Store(store.binary)
        try:
            source = sqlite3.connect(store.db)
            target = sqlite3.connect(copy.db)
            source.backup(target)
            source.close()
            target.execute(sql, params)
            target.commit()
            target.close()
            try:
                check_store(copy, ledger, user_id)
            except AssertionError:
                continue
            raise AssertionError(f"the checks did not notice {what}")
        finally:
            copy.cleanup()
    return len(tamperings)


def search_through_server(server_kind, server, key, ledger, ids):
    """The restarted server's search_memories finds each of `ids` by its title token
    (a stdio server must be initialized already)."""
    client = None
    if server_kind == "http":
        client = McpHttpClient(server.port, key)
        client.initialize()
    try:
        for n, memory_id in enumerate(ids):
            args = {"term": ledger.memories[memory_id]["token"], "limit": 5}
            response = (client.call_tool("search_memories", args) if client
                        else server.call_tool(f"s{n}", "search_memories", args))
            structured = tool_succeeded(response)
            found = [hit.get("memory", hit).get("id") for hit in (structured or {}).get("results", [])]
            if memory_id not in found:
                raise AssertionError(f"search_memories does not find {memory_id}: {response}")
    finally:
        if client:
            client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="path to reflect-memory")
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    opts = parser.parse_args()

    seed = opts.seed if opts.seed is not None else int(time.time())
    rng = random.Random(seed)
    store = Store(opts.binary, keep=opts.keep)
    print(f"crash_safety: seed {seed}, {opts.cycles} cycles, store {store.dir}", flush=True)
    started = time.monotonic()
    ledger = Ledger()
    user_id, key = store.user_with_key(EMAIL)
    api_env = {"REFLECT_API_KEY": key}
    previous_ids = []
    kills_in_startup = 0
    try:
        for cycle in range(opts.cycles):
            kind = "stdio" if cycle % 2 == 0 else "http"
            stop = threading.Event()
            ledger.cycle_ids = []
            ledger.cycle_acks = 0
            early_kill = rng.random() < 0.1  # now and then, kill while it starts up
            if kind == "http":
                server = HttpServer(store, ["--rate-limit", "0", "--log-level", "warn"])
                server.start(wait_healthy=not early_kill)
            else:
                server = StdioServer(store, ["--log-level", "warn"], env_extra=api_env).start()
                if not early_kill:
                    server.initialize()

            if early_kill:
                time.sleep(rng.uniform(0.0, 0.05))
                kills_in_startup += 1
            else:
                search_through_server(kind, server, key, ledger, previous_ids)
                threads = (drive_http(server, key, ledger, rng, stop) if kind == "http"
                           else drive_stdio(server, ledger, rng, stop))
                time.sleep(rng.uniform(0.15, 1.0))
            server.kill()
            stop.set()
            if not early_kill:
                for t in threads:
                    t.join(timeout=30)
            if not early_kill and ledger.cycle_acks == 0:
                # Writers swallow errors (the kill breaks their calls), so a server that
                # refused every write would otherwise pass every check below.
                raise AssertionError(f"cycle {cycle + 1} ({kind}): the server acknowledged no write at all")
            memories, versions = check_store(store, ledger, user_id)
            print(f"cycle {cycle + 1:3d} {kind:5s} {'startup ' if early_kill else ''}"
                  f"acked +{len(ledger.cycle_ids)} writes; store: {memories} memories, {versions} versions: ok",
                  flush=True)
            if not early_kill:
                previous_ids = list(ledger.cycle_ids)
        # A last start: everything acknowledged in the last cycle is searchable.
        final = StdioServer(store, ["--log-level", "warn"], env_extra=api_env).start()
        final.initialize()
        search_through_server("stdio", final, key, ledger, previous_ids)
        final.close_stdin()
        final.terminate()
        tamperings = prove_checks_can_fail(store, ledger, user_id)
    except (AssertionError, HarnessError) as e:
        return store.fail(f"(seed {seed}) {e}")
    finally:
        store.cleanup()
    elapsed = time.monotonic() - started
    print(f"crash_safety: {opts.cycles} SIGKILL cycles ({kills_in_startup} during start-up), "
          f"{ledger.acked_writes} acknowledged writes and {ledger.acked_updates} acknowledged updates, "
          f"none lost; the checks caught all {tamperings} deliberate damages; {elapsed:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
