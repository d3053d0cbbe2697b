// A line diff between two versions of a memory, for the dashboard's version history: the
// longest common subsequence of lines, shown as kept, removed and added lines.
#pragma once

#include <string>
#include <string_view>

namespace rm::web {

// HTML (escaped): a <pre> where removed lines are <del class="del">- …</del> and added lines
// <ins class="ins">+ …</ins>. Texts over 2,000 lines each are compared as whole blocks (the
// table is quadratic).
std::string LineDiffHtml(std::string_view before, std::string_view after);

}  // namespace rm::web
