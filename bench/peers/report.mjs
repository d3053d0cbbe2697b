// Turns the JSON lines of peer_bench and sdk_driver.mjs into the side-by-side table
// (Markdown, so it can go into docs/BENCHMARKS.md as printed) and checks issue 7's goals.
//
//   node report.mjs RESULTS.jsonl
import { readFileSync } from "node:fs";

const rows = readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
const find = (driver, server, memories, op) =>
  rows.find((r) => r.driver === driver && r.server === server && r.memories === memories && r.op === op);

const thousands = (x) => Math.round(x).toLocaleString("en-US");
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const times = (x) => (x >= 100 ? thousands(x) : x.toFixed(1)) + "×";

console.log("| driver | server | N | op | calls | ops/s | p50 ms | p99 ms | hits/search | ops/s vs reference |");
console.log("|---|---|--:|---|--:|--:|--:|--:|--:|--:|");
for (const r of rows) {
  const peer = r.server === "reflect" ? find(r.driver, "reference", r.memories, r.op) : undefined;
  const ratio = peer ? times(r.per_second / peer.per_second) : "";
  const hits = r.mean_hits === undefined ? "" : r.mean_hits.toFixed(1);
  console.log(`| ${r.driver} | ${r.server} | ${thousands(r.memories)} | ${r.op} | ${thousands(r.calls)} | ${thousands(r.per_second)} | ${ms(r.p50_ms)} | ${ms(r.p99_ms)} | ${hits} | ${ratio} |`);
}

// Issue 7's goals, raw driver, at the largest N run.
const sizes = [...new Set(rows.filter((r) => r.driver === "raw").map((r) => r.memories))].sort((a, b) => a - b);
if (sizes.length === 0) process.exit(0);
const [small, large] = [sizes[0], sizes.at(-1)];
console.log("");
let met = true;
const goal = (text, ok) => {
  met &&= ok;
  console.log(`- ${ok ? "met" : "NOT MET"}: ${text}`);
};
for (const [op, target] of [["write", 100], ["search", 300]]) {
  const ours = find("raw", "reflect", large, op);
  const theirs = find("raw", "reference", large, op);
  if (!ours || !theirs) continue;
  const ratio = ours.per_second / theirs.per_second;
  goal(`${op === "search" ? "searches" : "writes"} at N = ${thousands(large)}: ${times(ratio)} the reference's rate (goal ≥ ${target}×)`, ratio >= target);
}
if (small !== large) {
  for (const op of ["write", "search"]) {
    const a = find("raw", "reflect", small, op);
    const b = find("raw", "reflect", large, op);
    if (!a || !b) continue;
    // The median, which other work on the machine disturbs least (the mean, 1 / rate, is
    // shown too); "does not grow" read as at most 25 % more at the larger N.
    const growth = b.p50_ms / a.p50_ms;
    const meanGrowth = a.per_second / b.per_second;
    goal(`reflect-memory ${op} p50 at N = ${thousands(large)} is ${growth.toFixed(2)}× that at N = ${thousands(small)} (${ms(a.p50_ms)} → ${ms(b.p50_ms)} ms; mean ${meanGrowth.toFixed(2)}×; goal: no growth, ≤ 1.25×)`, growth <= 1.25);
    if (op === "search" && a.full_page_p50_ms !== undefined && b.full_page_p50_ms !== undefined) {
      // Not a goal of its own: what the growth is made of when the answers are the same size.
      console.log(`  (searches answering a full page of 10: p50 ${ms(a.full_page_p50_ms)} → ${ms(b.full_page_p50_ms)} ms, ` +
                  `${(b.full_page_p50_ms / a.full_page_p50_ms).toFixed(2)}×, over ${a.full_page_searches} and ${b.full_page_searches} searches; ` +
                  `hits per search ${a.mean_hits.toFixed(1)} → ${b.mean_hits.toFixed(1)})`);
    }
  }
}
process.exitCode = met ? 0 : 3;
