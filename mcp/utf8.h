// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). Boost.JSON already rejects malformed UTF-8 inside strings; this lets a
// parse error say which of the two problems a message has. Internal to mcp/ and transports/.
#pragma once

#include <string_view>

namespace mcp {

bool IsValidUtf8(std::string_view text);

}  // namespace mcp
