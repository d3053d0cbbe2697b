// When a new memory is "the same" as an existing one, for write_memory's
// merge_similar (issue 18): near-identical wording, and no fact that differs.
//
// Texts are compared as sets of shingles — their lower-case words and each pair of
// adjacent words — by Jaccard similarity (shared / all). Two memories are near
// duplicates when
//   - their titles score at least kTitleSimilarity and their contents at least
//     kContentSimilarity (order matters a little through the word pairs), and
//   - they hold the same numbers ("30 days" vs "90 days" is a different fact, however
//     alike the rest) and the same negations ("is" vs "is not").
// Anything else is a different memory. The thresholds are tested on pairs in
// tests/tools/merge_similar_test.cc.
#pragma once

#include <string_view>

namespace rm::tools {

inline constexpr double kTitleSimilarity = 0.8;
inline constexpr double kContentSimilarity = 0.8;

// Jaccard similarity of the two texts' shingles, 0..1 (1 for two texts without words).
double ShingleSimilarity(std::string_view a, std::string_view b);

bool NearDuplicate(std::string_view title_a, std::string_view content_a, std::string_view title_b,
                   std::string_view content_b);

}  // namespace rm::tools
