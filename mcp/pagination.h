// Cursor pagination for lists the server holds in memory (tools, prompts, resource
// templates). Cursors are opaque to clients; they name the list they belong to so
// one list's cursor is refused by another. Internal to mcp/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace mcp
