// The side-by-side benchmark through the official TypeScript SDK client
// (Client + StdioClientTransport): the latency a user's AI tool sees, SDK costs included
// (about 0.13 ms a call on this machine, /work/shared/NOTES.md). Same work and same
// checks as the raw driver (peer_bench.cc), from the same corpus file.
//
//   node sdk_driver.mjs --corpus FILE --server reflect|reference [--searches K] -- SERVER [ARGS...]
//
// Prints one JSON line per operation to stdout (read by report.mjs), a summary to stderr.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { dialectNamed } from "./dialects.mjs";

function parseArgs(argv) {
  const dash = argv.indexOf("--");
  if (dash < 0 || dash === argv.length - 1) usage("no server command after --");
  const options = { searches: Infinity, server: argv.slice(dash + 1) };
  for (let i = 0; i < dash; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined || i + 1 >= dash) usage(`missing value for ${flag}`);
    if (flag === "--corpus") options.corpus = value;
    else if (flag === "--server") options.kind = value;
    else if (flag === "--searches") options.searches = Number(value);
    else usage(`unknown flag ${flag}`);
  }
  if (!options.corpus || !options.kind) usage("--corpus and --server are required");
  return options;
}

function usage(why) {
  console.error(`sdk_driver: ${why}\nusage: node sdk_driver.mjs --corpus FILE --server reflect|reference [--searches K] -- SERVER [ARGS...]`);
  process.exit(2);
}

// The format peer_bench corpus writes: a header, the memories, the search terms.
function readCorpus(path) {
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  const header = lines[0];
  return {
    checks: header.checks,
    memories: lines.slice(1, 1 + header.memories),
    terms: lines.slice(1 + header.memories, 1 + header.memories + header.searches).map((l) => l.term),
  };
}

class Timings {
  micros = [];
  hits = 0;
  start() { this.t0 = process.hrtime.bigint(); }
  stop() { this.seconds = Number(process.hrtime.bigint() - this.t0) / 1e9; }
  summary(server, memories, op) {
    const sorted = [...this.micros].sort((a, b) => a - b);
    const at = (q) => sorted[Math.floor(q * (sorted.length - 1))] / 1000;
    const s = {
      driver: "sdk", server, memories, op, calls: sorted.length, seconds: this.seconds,
      per_second: sorted.length / this.seconds, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: sorted.at(-1) / 1000,
    };
    if (op === "search") s.mean_hits = this.hits / sorted.length;
    return s;
  }
}

async function call(client, request) {
  const result = await client.callTool(request);
  if (result.isError) throw new Error(`${request.name} answered with an error: ${JSON.stringify(result)}`);
  return result;
}

async function timedCall(client, request, timings) {
  const t0 = process.hrtime.bigint();
  const result = await call(client, request);
  timings.micros.push(Number(process.hrtime.bigint() - t0) / 1000);
  return result;
}

function report(summary) {
  console.log(JSON.stringify(summary));
  const f = (x, d) => x.toFixed(d);
  console.error(`  ${summary.op.padEnd(6)} ${summary.server.padEnd(9)} N=${String(summary.memories).padEnd(6)} sdk calls=${String(summary.calls).padEnd(6)} ${f(summary.per_second, 1).padStart(9)}/s  p50 ${f(summary.p50_ms, 3).padStart(8)} ms  p99 ${f(summary.p99_ms, 3).padStart(8)} ms`);
}

const options = parseArgs(process.argv.slice(2));
const corpus = readCorpus(options.corpus);
const dialect = dialectNamed(options.kind);
const n = corpus.memories.length;
const searches = Math.min(options.searches, corpus.terms.length);

const client = new Client({ name: "sdk_driver", version: "1" });
await client.connect(new StdioClientTransport({ command: options.server[0], args: options.server.slice(1), stderr: "ignore" }));

const writes = new Timings();
writes.start();
for (const m of corpus.memories) dialect.checkWritten(await timedCall(client, dialect.write(m), writes), m);
writes.stop();

// A benchmark of a server that lost data or cannot find it is worthless: check first.
const held = dialect.counted(await call(client, dialect.count()));
if (held !== n) throw new Error(`the server holds ${held} memories, not ${n}`);
for (const index of corpus.checks) {
  const m = corpus.memories[index];
  const titles = dialect.hitTitles(await call(client, dialect.search(m.token)));
  if (titles.length !== 1 || titles[0] !== m.title) throw new Error(`searching '${m.token}' found ${titles.length} results, not exactly '${m.title}'`);
}

const reads = new Timings();
reads.start();
for (const term of corpus.terms.slice(0, searches)) {
  const hits = dialect.hitTitles(await timedCall(client, dialect.search(term), reads)).length;
  if (hits === 0) throw new Error(`nothing found for '${term}', a word of the corpus`);
  reads.hits += hits;
}
reads.stop();
await client.close();

report(writes.summary(options.kind, n, "write"));
if (searches > 0) report(reads.summary(options.kind, n, "search"));
