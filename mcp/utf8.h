// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). Boost.JSON already rejects malformed UTF-8 inside strings; this lets a
// parse error say which of the two problems a message has. Internal to mcp/ and transports/.
#pragma once

#include <string>
#include <string_view>

namespace mcp {

bool IsValidUtf8(std::string_view text);

// `text` as is when it is valid UTF-8; otherwise with every non-ASCII byte written as
// \xNN. For text that must go into JSON (which is UTF-8) but comes from outside it,
// like HTTP header values quoted in an error or a log line.
std::string EscapeIfNotUtf8(std::string_view text);

}  // namespace mcp
