// The local owner (SPEC §1): the user `serve --stdio` acts as when no
// $REFLECT_API_KEY is given, so a single-user setup needs no configuration.
#pragma once

#include <string_view>

#include "store/database.h"
#include "store/users.h"
#include "util/status.h"

namespace rm::app {

inline constexpr std::string_view kLocalOwnerEmail = "local@localhost";

// The user local@localhost, created with plan admin on first use. Safe when
// several processes start at once (get-or-insert in one write transaction).
Result<store::User> EnsureLocalOwner(store::Store& db);

}  // namespace rm::app
