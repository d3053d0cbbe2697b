#include "tools/memory_input.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "store/validation.h"

namespace rm::tools {
namespace {

std::string Field(std::string_view field) { return std::string(field); }

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::size_t> Utf8Length(std::string_view s) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3f);
    }
    constexpr std::uint32_t kMinOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinOfLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

namespace {
Status CheckText(std::string_view value, std::string_view field, std::size_t max_chars) {
  std::optional<std::size_t> length = Utf8Length(value);
  if (!length) return Status::InvalidArgument(Field(field) + ": must be valid UTF-8 text");
  if (*length > max_chars) {
    return Status::InvalidArgument(Field(field) + ": must be at most " + std::to_string(max_chars) +
                                   " characters (got " + std::to_string(*length) + ")");
  }
  return Status::Ok();
}
}  // namespace

Status CheckTitle(std::string_view title, std::string_view field) {
  RM_RETURN_IF_ERROR(CheckText(title, field, kMaxTitleChars));
  if (Trim(title).empty()) return Status::InvalidArgument(Field(field) + ": must not be empty");
  return Status::Ok();
}

Status CheckContent(std::string_view content, std::string_view field) {
  return CheckText(content, field, kMaxContentChars);
}

Status CheckMemoryType(std::string_view type, std::string_view field) {
  if (type == "semantic" || type == "episodic" || type == "procedural") return Status::Ok();
  return Status::InvalidArgument(Field(field) +
                                 ": must be one of semantic, episodic, procedural (got '" +
                                 std::string(type.substr(0, 40)) + "')");
}

Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags,
                                               std::string_view field) {
  if (tags.size() > kMaxTags) {
    return Status::InvalidArgument(Field(field) + ": at most " + std::to_string(kMaxTags) +
                                   " tags are allowed (got " + std::to_string(tags.size()) + ")");
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string name = Field(field) + "[" + std::to_string(i) + "]";
    RM_RETURN_IF_ERROR(CheckText(tags[i], name, kMaxTagChars));
    std::string tag = Trim(tags[i]);
    if (tag.empty()) return Status::InvalidArgument(name + ": must not be empty");
    if (HasControl(tag)) return Status::InvalidArgument(name + ": must not hold control characters");
    if (seen.insert(AsciiLower(tag)).second) out.push_back(std::move(tag));
  }
  return out;
}

Result<std::vector<std::string>> NormalizeVendors(const std::vector<std::string>& vendors,
                                                  std::string_view field) {
  if (vendors.size() > kMaxVendors) {
    return Status::InvalidArgument(Field(field) + ": at most " + std::to_string(kMaxVendors) +
                                   " entries are allowed (got " + std::to_string(vendors.size()) +
                                   ")");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < vendors.size(); ++i) {
    const std::string& v = vendors[i];
    if (v != "*" && !store::IsValidVendorName(v)) {
      return Status::InvalidArgument(
          Field(field) + "[" + std::to_string(i) + "]: '" + v.substr(0, 40) +
          "' is not \"*\" or a vendor name ([a-z][a-z0-9_-]{0,31}, e.g. \"claude\", \"cursor\")");
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

Status CheckRequestId(std::string_view request_id) {
  std::optional<std::size_t> length = Utf8Length(request_id);
  if (!length) return Status::InvalidArgument("request_id: must be valid UTF-8 text");
  if (*length < 1 || *length > kMaxRequestIdChars) {
    return Status::InvalidArgument("request_id: must be 1 to 128 characters");
  }
  return Status::Ok();
}

namespace {
int TwoDigits(std::string_view s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// "2026-02-31" and "25:61" have the right shape but are no moment: a filter or an
// imported row with one would compare as text against real timestamps.
bool IsRealDateAndTime(std::string_view date, std::string_view hh_mm, std::string_view ss) {
  const int year = std::stoi(std::string(date.substr(0, 4)));
  const std::chrono::year_month_day day{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(TwoDigits(date, 5))),
                                        std::chrono::day(static_cast<unsigned>(TwoDigits(date, 8)))};
  return day.ok() && TwoDigits(hh_mm, 0) < 24 && TwoDigits(hh_mm, 3) < 60 && TwoDigits(ss, 0) < 60;
}
}  // namespace

Result<std::string> NormalizeTimestamp(std::string_view value, std::string_view field) {
  const Status bad = Status::InvalidArgument(
      Field(field) + ": use an ISO-8601 UTC date or time, e.g. 2026-05-01 or 2026-05-01T14:30:00Z");
  if (value.size() < 10 || !IsDigits(value.substr(0, 4)) || value[4] != '-' ||
      !IsDigits(value.substr(5, 2)) || value[7] != '-' || !IsDigits(value.substr(8, 2))) {
    return bad;
  }
  std::string out(value.substr(0, 10));
  std::string_view rest = value.substr(10);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  std::string time = "00:00";
  std::string seconds = "00";
  std::string millis = "000";
  if (!rest.empty()) {
    if (rest.size() < 6 || rest[0] != 'T' || !IsDigits(rest.substr(1, 2)) || rest[3] != ':' ||
        !IsDigits(rest.substr(4, 2))) {
      return bad;
    }
    time = std::string(rest.substr(1, 5));
    rest = rest.substr(6);
    if (!rest.empty()) {
      if (rest.size() < 3 || rest[0] != ':' || !IsDigits(rest.substr(1, 2))) return bad;
      seconds = std::string(rest.substr(1, 2));
      rest = rest.substr(3);
      if (!rest.empty()) {
        if (rest[0] != '.' || !IsDigits(rest.substr(1))) return bad;
        millis = std::string(rest.substr(1, 3));
        millis.resize(3, '0');
      }
    }
  }
  if (!IsRealDateAndTime(out, time, seconds)) return bad;
  return out + "T" + time + ":" + seconds + "." + millis + "Z";
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace rm::tools
