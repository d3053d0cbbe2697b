#include "app/serve_identity.h"

#include "app/local_owner.h"
#include "store/api_keys.h"
#include "store/validation.h"

namespace rm::app {

Result<tools::Principal> ResolveStdioPrincipal(store::Database& db, const StdioIdentityInput& input) {
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
  // The key was used: one write at start-up, not one per call.
  (void)db.Write([&](store::Connection& conn) { return store::TouchApiKey(conn, key.key_id); });
  return principal;
}

}  // namespace rm::app
