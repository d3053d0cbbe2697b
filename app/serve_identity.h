// Who `serve --stdio` acts as (SPEC §2): the user of $REFLECT_API_KEY, or the
// local owner; and as which vendor: the agent key's, else --vendor /
// $REFLECT_VENDOR, else (local owner only) one inferred per call from the client's name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"
#include "tools/principal.h"
#include "util/status.h"

namespace rm::app {

struct StdioIdentityInput {
  std::optional<std::string> api_key;      // $REFLECT_API_KEY
  std::optional<std::string> vendor_flag;  // --vendor, else $REFLECT_VENDOR
};

// The principal of a stdio session. InvalidArgument for a malformed vendor or a
// --vendor that contradicts an agent key; Unauthenticated for an unknown or revoked key.
Result<tools::Principal> ResolveStdioPrincipal(store::Store& db, const StdioIdentityInput& input);

// Whether $REFLECT_API_KEY still works while `serve --stdio` runs (transports::StdioOptions::
// recheck_credential calls it at most once a second): nothing if it does, else the message
// that refuses requests because it was revoked. A lookup that fails for another reason (the
// disk) is logged and counts as valid: the next check tries again.
std::optional<std::string> RecheckStdioKey(store::Store& db, std::string_view api_key);

}  // namespace rm::app
