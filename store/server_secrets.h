// Secrets the server keeps in its store (migration 6): one per purpose, made on
// first use from the CSPRNG and never shown to anyone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// The secret named `name` (64 hex characters), created now if there is none.
// Call inside a write transaction: two processes asking at once get the same one.
Result<std::string> LoadOrCreateServerSecret(Connection& conn, std::string_view name);

// The secret named `name`, or nullopt if there is none (never creates one).
Result<std::optional<std::string>> FindServerSecret(Connection& conn, std::string_view name);

// Removes the secrets whose names start with `prefix`, except those named in `keep`
// (retires a rotated secret's old generations). Call inside a write transaction.
Status DeleteServerSecretsExcept(Connection& conn, std::string_view prefix,
                                 const std::vector<std::string>& keep);

}  // namespace rm::store
