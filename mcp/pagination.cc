#include "mcp/pagination.h"

#include <algorithm>
#include <charconv>

#include "mcp/json_rpc.h"

namespace mcp {

PageBounds SelectPage(std::string_view list_name, std::size_t size, std::size_t page_size,
                      const std::optional<std::string>& cursor) {
  if (page_size == 0) page_size = size == 0 ? 1 : size;
  std::size_t begin = 0;
  if (cursor) {
    // A cursor reads "<list>:<offset>"; the offset must point inside the list.
    const std::string prefix = std::string(list_name) + ":";
    const std::string_view text = *cursor;
    const bool has_prefix = text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix;
    const char* first = text.data() + prefix.size();
    const char* last = text.data() + text.size();
    auto [end, error] = has_prefix ? std::from_chars(first, last, begin)
                                   : std::from_chars_result{first, std::errc::invalid_argument};
    if (error != std::errc() || end != last || begin == 0 || begin >= size) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams,
                           "params.cursor is not a cursor this server gave for " +
                               std::string(list_name) + "; start again without a cursor");
    }
  }
  PageBounds page;
  page.begin = begin;
  page.end = std::min(size, begin + page_size);
  if (page.end < size) page.next_cursor = std::string(list_name) + ":" + std::to_string(page.end);
  return page;
}

}  // namespace mcp
