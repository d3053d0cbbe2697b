// The data both servers are given: memories of realistic shape (a short title, a
// sentence or two of content) made from a fixed vocabulary with a seeded RNG, the
// search terms, and which memories the correctness checks look up. Written once to a
// JSON Lines file by `peer_bench corpus`, so the C++ driver and the Node SDK driver
// (sdk_driver.mjs) send byte-identical requests to both servers.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace peers {

struct Memory {
  std::string title;    // ends with " (<token>)": unique, since the reference keys entities by name
  std::string content;  // one or two sentences
  std::string token;    // "qx" + 4 letters, in no other memory and no vocabulary word
};

struct Corpus {
  std::uint64_t seed = 0;
  std::vector<Memory> memories;
  // Words that occur in the memories, each drawn with equal chance from the distinct
  // words of the corpus (what a person searches for: something they wrote about).
  std::vector<std::string> terms;
  // Indices of the memories whose token the correctness check searches for.
  std::vector<std::size_t> checks;
};

// Deterministic for a given (memories, searches, seed): the first k memories of a
// larger corpus are the memories of the smaller one.
Corpus MakeCorpus(std::size_t memories, std::size_t searches, std::uint64_t seed);

// One header line {"seed","memories","searches","checks"}, then one line per memory
// {"title","content","token"}, then one per search {"term"}.
void WriteCorpus(const Corpus& corpus, std::ostream& out);
// Throws std::runtime_error when `in` is not what WriteCorpus writes.
Corpus ReadCorpus(std::istream& in);

}  // namespace peers
