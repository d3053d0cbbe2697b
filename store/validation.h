// Input rules for identity data, shared by the store, the CLI and tools/.
//
// Each Validate* returns Ok or an InvalidArgument whose message names the bad
// value and the rule, so it can be shown to a person (CLI) or a model (tool error) as is.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace rm::store {

// A vendor (calling surface) name: [a-z][a-z0-9_-]{0,31} (SPEC §2), e.g. "cursor", "n8n".
bool IsValidVendorName(std::string_view name);
Status ValidateVendorName(std::string_view name);

// A sane email address: one '@', a non-empty local part and domain, no spaces
// or control characters, at most 254 bytes; the domain has no empty labels.
// "local@localhost" is valid (the stdio local owner). Not a full RFC 5322 parser.
// Returns the address lower-cased: emails are stored and looked up that way, so
// "A@Example.com" and "a@example.com" are one user.
Result<std::string> NormalizeEmail(std::string_view email);

// Plans and roles as the canonical users table allows them.
bool IsKnownPlan(std::string_view plan);     // free builder pro team admin
bool IsKnownUserRole(std::string_view role); // user admin private-alpha
bool IsKnownOrgRole(std::string_view role);  // owner admin member

// A short human-entered name (org, team, key label): 1..max_chars characters
// after trimming spaces, valid UTF-8, no control characters. `what` names it in errors.
// Returns the trimmed name.
Result<std::string> NormalizeDisplayName(std::string_view what, std::string_view name,
                                         std::size_t max_chars);

// A billing month "YYYY-MM" with a month 01..12.
Status ValidateMonth(std::string_view month);

}  // namespace rm::store
