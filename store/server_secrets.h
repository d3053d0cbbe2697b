// Secrets the server keeps in its store (migration 6): one per purpose, made on
// first use from the CSPRNG and never shown to anyone.
#pragma once

#include <string>
#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// The secret named `name` (64 hex characters), created now if there is none.
// Call inside a write transaction: two processes asking at once get the same one.
Result<std::string> LoadOrCreateServerSecret(Connection& conn, std::string_view name);

}  // namespace rm::store
