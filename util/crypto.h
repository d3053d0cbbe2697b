// Cryptographic helpers over OpenSSL: the only place the project touches it
// for hashing and randomness (TLS lives in transports/).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rm {

// Lower-case hex SHA-256 of `data` (64 chars). API keys are stored this way.
std::string Sha256Hex(std::string_view data);

// `bytes` bytes from OpenSSL's CSPRNG, as 2*bytes lower-case hex chars.
// Throws std::runtime_error if the CSPRNG fails (it should never be ignored).
std::string RandomHex(std::size_t bytes);

// A random (version 4) UUID in canonical 8-4-4-4-12 form, from the CSPRNG.
std::string NewUuid();

// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then 74 random
// bits. For rows written at a high rate into a table keyed by id: new ids sort after
// the old ones, so each insert lands on the last page of the primary-key index instead
// of on a random one (usage_events: one row per call, docs/SCHEMA.md).
std::string NewTimeOrderedUuid();

}  // namespace rm
