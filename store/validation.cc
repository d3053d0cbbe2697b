#include "store/validation.h"

#include <algorithm>
#include <array>

namespace rm::store {
namespace {

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Counts code points, or returns npos if `s` is not well-formed UTF-8.
std::size_t Utf8Length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::string_view::npos;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return std::string_view::npos;
    }
    i += len;
  }
  return count;
}

std::string Quoted(std::string_view s) {
  constexpr std::size_t kMax = 80;  // keep error messages readable
  // Appended piece by piece: GCC 12 at -O3 misreads the chained operator+ as an
  // overlapping memcpy (a false -Wrestrict that -Werror turns into a build failure).
  std::string out;
  out.reserve(kMax + 5);
  out += '\'';
  out.append(s.substr(0, kMax));
  out += s.size() > kMax ? "...'" : "'";
  return out;
}

}  // namespace

bool IsValidVendorName(std::string_view name) {
  if (name.empty() || name.size() > 32 || !IsLowerAlpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsLowerAlpha(c) || IsDigit(c) || c == '_' || c == '-'; });
}

Status ValidateVendorName(std::string_view name) {
  if (IsValidVendorName(name)) return Status::Ok();
  return Status::InvalidArgument(
      "invalid vendor name " + Quoted(name) +
      ": use 1-32 characters, lower-case letters, digits, '_' or '-', starting with a letter "
      "(e.g. claude, cursor, n8n)");
}

Result<std::string> NormalizeEmail(std::string_view email) {
  auto invalid = [&](const std::string& why) {
    return Status::InvalidArgument("invalid email address " + Quoted(email) + ": " + why +
                                   " (expected something like name@example.com)");
  };
  if (email.empty()) return invalid("it is empty");
  if (email.size() > 254) return invalid("it is longer than 254 characters");
  for (char c : email) {
    if (IsControl(static_cast<unsigned char>(c)) || c == ' ') {
      return invalid("it contains a space or control character");
    }
  }
  std::size_t at = email.find('@');
  if (at == std::string_view::npos) return invalid("it has no '@'");
  if (email.find('@', at + 1) != std::string_view::npos) return invalid("it has more than one '@'");
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  if (local.empty()) return invalid("nothing before the '@'");
  if (domain.empty()) return invalid("nothing after the '@'");
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return invalid("the domain has an empty part");
  }
  if (Utf8Length(email) == std::string_view::npos) return invalid("it is not valid UTF-8");
  std::string normalized(email);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return normalized;
}

bool IsKnownPlan(std::string_view plan) {
  static constexpr std::array<std::string_view, 5> kPlans = {"free", "builder", "pro", "team", "admin"};
  return std::find(kPlans.begin(), kPlans.end(), plan) != kPlans.end();
}

bool IsKnownUserRole(std::string_view role) {
  return role == "user" || role == "admin" || role == "private-alpha";
}

bool IsKnownOrgRole(std::string_view role) {
  return role == "owner" || role == "admin" || role == "member";
}

Result<std::string> NormalizeDisplayName(std::string_view what, std::string_view name,
                                         std::size_t max_chars) {
  std::size_t first = name.find_first_not_of(' ');
  std::size_t last = name.find_last_not_of(' ');
  std::string_view trimmed =
      first == std::string_view::npos ? std::string_view() : name.substr(first, last - first + 1);
  if (trimmed.empty()) return Status::InvalidArgument(std::string(what) + " is empty: give it a name");
  for (char c : trimmed) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument(std::string(what) + " " + Quoted(trimmed) +
                                     " contains a control character");
    }
  }
  std::size_t length = Utf8Length(trimmed);
  if (length == std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  }
  if (length > max_chars) {
    return Status::InvalidArgument(std::string(what) + " " + Quoted(trimmed) + " is longer than " +
                                   std::to_string(max_chars) + " characters");
  }
  return std::string(trimmed);
}

Status ValidateMonth(std::string_view month) {
  bool shape = month.size() == 7 && month[4] == '-' &&
               std::all_of(month.begin(), month.begin() + 4, IsDigit) && IsDigit(month[5]) &&
               IsDigit(month[6]);
  int mm = shape ? (month[5] - '0') * 10 + (month[6] - '0') : 0;
  if (shape && mm >= 1 && mm <= 12) return Status::Ok();
  return Status::InvalidArgument("invalid month " + Quoted(month) + ": use YYYY-MM, e.g. 2026-11");
}

}  // namespace rm::store
