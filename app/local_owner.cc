#include "app/local_owner.h"

namespace rm::app {

Result<store::User> EnsureLocalOwner(store::Store& db) {
  return store::WriteValue<store::User>(db, [](store::Connection& conn) {
    return store::GetOrInsertUser(conn, {std::string(kLocalOwnerEmail), "admin", "user"});
  });
}

}  // namespace rm::app
