// Password hashing with Argon2id (Debian's libargon2): the encoded form carries its own salt
// and parameters, so parameters can grow without invalidating stored hashes.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace rm {

// An encoded Argon2id hash ("$argon2id$v=19$m=...") of `password` with a fresh random salt.
// InvalidArgument for an empty password or one longer than 1,024 bytes.
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `encoded` (constant time in the password). False for a
// malformed hash.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace rm
