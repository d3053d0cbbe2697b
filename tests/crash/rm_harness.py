"""Drives the real `reflect-memory` binary for the crash-safety and abuse tests.

Python 3 standard library only. Everything here talks to 127.0.0.1 and nothing else.

    store = Store(binary)                      # a fresh database in a temporary folder
    user_id, key = store.user_with_key("a@example.com")
    server = HttpServer(store, extra_args=["--rate-limit", "0"]).start()
    client = McpHttpClient(server.port, key); client.initialize()
    result = client.call_tool("write_memory", {"title": "t", "content": "c"})
    server.kill()                              # SIGKILL
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

LOOPBACK = "127.0.0.1"
_SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts")
PROTOCOL_VERSION = "2025-11-25"


class HarnessError(Exception):
    """The server did something the test did not expect (or did not start)."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    """Resident memory of a process in KiB: VmRSS (now) or VmHWM (its peak so far),
    from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise HarnessError(f"no {field} for pid {pid}")


class Store:
    """A database file in its own temporary folder, and the CLI to administer it."""

    def __init__(self, binary, keep=False):
        self.binary = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix="rm-e2e-")
        self.db = os.path.join(self.dir, "memory.db")
        self.keep = keep

    def cli(self, *args, check=True):
        """Runs `reflect-memory <args> --db <db>`; returns the CompletedProcess."""
        done = subprocess.run([self.binary, *args, "--db", self.db],
                              capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise HarnessError(f"reflect-memory {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done

    def user_with_key(self, email, plan="admin"):
        """Adds a user and an owner key for it; returns (user id, key rm_live_...)."""
        user_id = self.cli("user", "add", email, "--plan", plan).stdout.strip().splitlines()[-1]
        key = self.cli("key", "create", "--user", email).stdout.strip().splitlines()[-1]
        return user_id, key

    def fail(self, message):
        """Reports a failed test on stderr and keeps the folder to look at; returns exit code 1."""
        self.keep = True
        print(f"FAILED: {message}\nstore and server log kept in {self.dir}", file=sys.stderr)
        return 1

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class _ServerProcess:
    """What the two transports share: the child process, its stderr log, SIGKILL."""

    def __init__(self, store, args, env_extra=None):
        self.store = store
        self.args = args
        self.env = dict(os.environ, **(env_extra or {}))
        self.process = None
        self.log_path = os.path.join(store.dir, "server.log")

    def _spawn(self, stdin=None, stdout=None):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.store.binary, "serve", *self.args, "--db", self.store.db],
                                        stdin=stdin, stdout=stdout, stderr=log, env=self.env)
        log.close()

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as a crash or the OOM killer would; waits for the process to be gone."""
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def terminate(self, timeout=30):
        """SIGTERM (graceful stop); returns the exit code."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


class HttpServer(_ServerProcess):
    """`reflect-memory serve --http 127.0.0.1:<free port>`."""

    def __init__(self, store, extra_args=(), env_extra=None):
        self.port = free_port()
        super().__init__(store, ["--http", f"{LOOPBACK}:{self.port}", *extra_args], env_extra)

    def start(self, timeout=20, wait_healthy=True):
        self._spawn(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if not wait_healthy:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise HarnessError(f"serve --http exited {self.process.returncode}: {self.log_tail()}")
            if self.healthz() == 200:
                return self
            time.sleep(0.02)
        raise HarnessError(f"serve --http not healthy after {timeout}s: {self.log_tail()}")

    def healthz(self):
        """The status of GET /healthz, or None when the server does not answer."""
        try:
            conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return None


class StdioServer(_ServerProcess):
    """`reflect-memory serve --stdio`: one JSON-RPC message per line on stdin/stdout.

    A reader thread collects every line the server writes, so a test can send
    several requests before reading (the server runs them concurrently).
    """

    def __init__(self, store, extra_args=(), env_extra=None):
        super().__init__(store, ["--stdio", *extra_args], env_extra)
        self._lines = []
        self._cv = threading.Condition()
        self._closed = False
        self._write_lock = threading.Lock()

    def start(self):
        self._spawn(stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        threading.Thread(target=self._read_lines, daemon=True).start()
        return self

    def _read_lines(self):
        for raw in self.process.stdout:
            with self._cv:
                self._lines.append(raw)
                self._cv.notify_all()
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def send_raw(self, data):
        """Writes bytes to the server's stdin; False once the pipe is broken."""
        try:
            with self._write_lock:
                self.process.stdin.write(data)
                self.process.stdin.flush()
            return True
        except (BrokenPipeError, ValueError, OSError):
            return False

    def send(self, message):
        return self.send_raw(json.dumps(message).encode() + b"\n")

    def close_stdin(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass

    def next_line(self, timeout=30):
        """The next line the server wrote (bytes), or None at EOF or timeout."""
        with self._cv:
            if not self._cv.wait_for(lambda: self._lines or self._closed, timeout=timeout):
                return None
            return self._lines.pop(0) if self._lines else None

    def response_to(self, request_id, timeout=30):
        """The parsed response with `request_id`; notifications before it are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                return None
            message = json.loads(line)
            if message.get("id") == request_id and "method" not in message:
                return message

    def request(self, request_id, method, params=None, timeout=30):
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        if not self.send(message):
            return None
        return self.response_to(request_id, timeout)

    def initialize(self, client_name="rm-e2e"):
        response = self.request("init", "initialize", {
            "protocolVersion": PROTOCOL_VERSION, "capabilities": {},
            "clientInfo": {"name": client_name, "version": "1.0"}})
        if response is None or "result" not in response:
            raise HarnessError(f"stdio initialize failed: {response} {self.log_tail()}")
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response

    def call_tool(self, request_id, name, arguments, timeout=30):
        return self.request(request_id, "tools/call", {"name": name, "arguments": arguments}, timeout)


class McpHttpClient:
    """One keep-alive connection to /mcp with one MCP session and a bearer key."""

    def __init__(self, port, key, timeout=30):
        self.port = port
        self.key = key
        self.timeout = timeout
        self.session_id = None
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
        self._next_id = 0

    def post(self, message):
        """POSTs one message; returns (status, parsed JSON-RPC response or None)."""
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json",
                   "Accept": "application/json, text/event-stream"}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = PROTOCOL_VERSION
        self.conn.request("POST", "/mcp", body=json.dumps(message).encode(), headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.getheader("Mcp-Session-Id"):
            self.session_id = response.getheader("Mcp-Session-Id")
        if not body:
            return response.status, None
        if (response.getheader("Content-Type") or "").startswith("text/event-stream"):
            return response.status, _last_event_with_id(body, message.get("id"))
        return response.status, json.loads(body)

    def request(self, method, params=None):
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        return self.post(message)

    def initialize(self, client_name="rm-e2e"):
        status, response = self.request("initialize", {
            "protocolVersion": PROTOCOL_VERSION, "capabilities": {},
            "clientInfo": {"name": client_name, "version": "1.0"}})
        if status != 200 or not response or "result" not in response:
            raise HarnessError(f"HTTP initialize failed: {status} {response}")
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response

    def call_tool(self, name, arguments):
        """tools/call; returns the JSON-RPC response (None if the server sent none)."""
        return self.request("tools/call", {"name": name, "arguments": arguments})[1]

    def close(self):
        self.conn.close()


def _last_event_with_id(body, request_id):
    for line in body.decode().splitlines():
        if line.startswith("data:"):
            message = json.loads(line[5:])
            if message.get("id") == request_id and "method" not in message:
                return message
    return None


def tool_succeeded(response):
    """The structuredContent of a successful tools/call response, else None."""
    if not response or "result" not in response:
        return None
    result = response["result"]
    if result.get("isError"):
        return None
    return result.get("structuredContent")


def postgres_binaries_missing():
    """True when Debian's PostgreSQL 15 server binaries are not installed."""
    return not os.path.exists(os.environ.get("RM_PG_BINDIR", "/usr/lib/postgresql/15/bin") + "/initdb")


class ThrowawayPostgres:
    """A PostgreSQL 15 of the test's own (scripts/throwaway-postgres): start (returns the
    postgresql:// URL of its database `postgres`), halt (keeping the data), resume, stop."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rm-pg-")
        os.rmdir(self.dir)  # the script creates it (owned by the server's user when root)
        self.port = None

    def _run(self, command):
        return subprocess.run([os.path.join(_SCRIPTS, "throwaway-postgres"), command, self.dir],
                              capture_output=True, text=True, timeout=120)

    def start(self):
        done = self._run("start")
        if done.returncode != 0:
            raise HarnessError(f"throwaway-postgres start: {done.stderr}")
        self.port = int(done.stdout.strip())
        return f"postgresql://rm@127.0.0.1:{self.port}/postgres"

    def halt(self):
        if self._run("halt").returncode != 0:
            raise HarnessError("throwaway-postgres halt failed")

    def resume(self):
        done = self._run("resume")
        if done.returncode != 0:
            raise HarnessError(f"throwaway-postgres resume: {done.stderr}")

    def stop(self):
        self._run("stop")
