// Input rules for memories (SPEC §3 "Input limits"), checked by the memory
// service for every tool call and every imported line. Each failure is an
// InvalidArgument naming the field, so the tool error tells the model what to fix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::tools {

inline constexpr std::size_t kMaxTitleChars = 500;
inline constexpr std::size_t kMaxContentChars = 100000;
inline constexpr std::size_t kMaxTags = 50;
inline constexpr std::size_t kMaxTagChars = 64;
inline constexpr std::size_t kMaxVendors = 16;
inline constexpr std::size_t kMaxRequestIdChars = 128;

// Code points in `s`, or nullopt if it is not well-formed UTF-8 (overlong forms,
// surrogates and values past U+10FFFF are not well-formed).
std::optional<std::size_t> Utf8Length(std::string_view s);

// A title: 1..500 characters, not only spaces, UTF-8.
Status CheckTitle(std::string_view title, std::string_view field = "title");
// Content: up to 100,000 characters, UTF-8 (may be empty).
Status CheckContent(std::string_view content, std::string_view field = "content");
// semantic | episodic | procedural.
Status CheckMemoryType(std::string_view type, std::string_view field = "memory_type");

// Tags: at most 50, each 1..64 characters after trimming spaces, no control
// characters. Returns them trimmed, duplicates (ASCII case-insensitive) dropped.
Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags,
                                               std::string_view field = "tags");

// allowed_vendors: at most 16 entries, each "*" or a vendor name
// ([a-z][a-z0-9_-]{0,31}). Returns them with duplicates dropped. [] is valid
// (owner keys only).
Result<std::vector<std::string>> NormalizeVendors(const std::vector<std::string>& vendors,
                                                  std::string_view field = "allowed_vendors");

// A request_id: 1..128 characters, UTF-8.
Status CheckRequestId(std::string_view request_id);

// A created_after/created_before bound: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]][Z],
// always UTC. Returned in the store's form (2026-05-01T00:00:00.000Z), so it
// compares exactly with stored timestamps.
Result<std::string> NormalizeTimestamp(std::string_view value, std::string_view field);

// ASCII lower case, as SQLite's lower() (so tags compare alike in C++ and SQL).
std::string AsciiLower(std::string_view s);

}  // namespace rm::tools
