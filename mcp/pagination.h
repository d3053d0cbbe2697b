// Cursor pagination for lists the server holds in memory (tools, prompts, resource
// templates). Cursors are opaque to clients; they name the list they belong to so
// one list's cursor is refused by another. Internal to mcp/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace mcp {

struct PageBounds {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// The slice of a list of `size` items that `cursor` (absent: the first page) selects.
// Throws jsonrpc::Error(kInvalidParams) for a cursor this function did not produce
// for `list_name` and a list of this size.
PageBounds SelectPage(std::string_view list_name, std::size_t size, std::size_t page_size,
                      const std::optional<std::string>& cursor);

// The result of a list method: {"<key>": [describe(item), ...], "nextCursor"?: ...}, one
// page of `items` chosen by `cursor`. `key` also names the list in its cursors.
template <typename Item, typename Describe>
boost::json::object ListPage(std::string_view key, const std::vector<Item>& items, std::size_t page_size,
                             const std::optional<std::string>& cursor, Describe describe) {
  const PageBounds page = SelectPage(key, items.size(), page_size, cursor);
  boost::json::array listed;
  for (std::size_t i = page.begin; i < page.end; ++i) listed.push_back(describe(items[i]));
  boost::json::object result{{key, std::move(listed)}};
  if (page.next_cursor) result["nextCursor"] = *page.next_cursor;
  return result;
}

}  // namespace mcp
