#include "app/serve_identity.h"

#include <spdlog/spdlog.h>

#include "app/local_owner.h"
#include "store/api_keys.h"
#include "store/validation.h"

namespace rm::app {

Result<tools::Principal> ResolveStdioPrincipal(store::Store& db, const StdioIdentityInput& input) {
  tools::Principal principal;
  principal.transport = tools::Principal::Transport::kStdio;
  if (input.vendor_flag) {
    Status valid = store::ValidateVendorName(*input.vendor_flag);
    if (!valid.ok()) {
      return Status::InvalidArgument("--vendor / $REFLECT_VENDOR: " + valid.message());
    }
    principal.configured_vendor = input.vendor_flag;
  }

  if (!input.api_key) {
    Result<store::User> owner = EnsureLocalOwner(db);
    if (!owner.ok()) return owner.status();
    principal.user_id = owner->id;
    principal.local_owner = true;
    return principal;
  }

  store::ResolvedApiKey key;
  Status resolved = db.Read([&](store::Connection& conn) {
    Result<store::ResolvedApiKey> r = store::ResolveApiKey(conn, *input.api_key);
    if (!r.ok()) return r.status();
    key = std::move(r).value();
    return Status::Ok();
  });
  if (!resolved.ok()) {
    if (resolved.code() == Status::Code::kUnauthenticated) {
      return Status::Unauthenticated(
          "$REFLECT_API_KEY is not a valid key (unknown, malformed or revoked): create one with "
          "`reflect-memory key create --user EMAIL`, or unset it to serve as the local owner");
    }
    return resolved;
  }
  if (key.vendor && principal.configured_vendor && *key.vendor != *principal.configured_vendor) {
    return Status::InvalidArgument("--vendor " + *principal.configured_vendor +
                                   " contradicts the agent key, which is bound to vendor " +
                                   *key.vendor + ": drop --vendor / $REFLECT_VENDOR");
  }
  principal.user_id = key.user_id;
  principal.key_vendor = key.vendor;
  principal.key_id = key.key_id;
  // The key was used: one write at start-up, not one per call.
  (void)db.Write([&](store::Connection& conn) { return store::TouchApiKey(conn, key.key_id); });
  return principal;
}

std::optional<std::string> RecheckStdioKey(store::Store& db, std::string_view api_key) {
  Status valid = db.Read([&](store::Connection& conn) { return store::ResolveApiKey(conn, api_key).status(); });
  if (valid.ok()) return std::nullopt;
  if (valid.code() != Status::Code::kUnauthenticated) {
    spdlog::warn("could not re-check $REFLECT_API_KEY (will try again): {}", valid.ToString());
    return std::nullopt;
  }
  return "the API key in $REFLECT_API_KEY was revoked while this server ran, so it serves no more "
         "requests: create a new key with `reflect-memory key create --user EMAIL` and restart the server "
         "with it";
}

}  // namespace rm::app
