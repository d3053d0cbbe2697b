// Shape checks for ids and keys in tests. (Not std::regex: GCC 12 under
// ASan warns inside <regex>, and warnings are errors.)
#pragma once

#include <string_view>

namespace rm::testing {

inline bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "rm_live_" + 48 lower-case hex characters.
inline bool IsApiKey(std::string_view s) {
  return s.size() == 56 && s.substr(0, 8) == "rm_live_" && IsLowerHex(s.substr(8));
}

// A canonical version-4 UUID: 8-4-4-4-12 lower-case hex, version nibble 4.
inline bool IsUuidV4(std::string_view s) {
  if (s.size() != 36 || s[14] != '4') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsLowerHex(s.substr(i, 1))) return false;
  }
  return true;
}

}  // namespace rm::testing
