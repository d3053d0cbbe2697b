#include "tools/memory_transfer.h"

#include <istream>
#include <ostream>
#include <set>

#include <boost/json.hpp>

#include "store/memory_repository.h"
#include "store/plans.h"
#include "store/users.h"
#include "store/version_repository.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::tools {
namespace json = boost::json;

// ---------------------------------------------------------------- export

Result<std::int64_t> ExportMemories(store::Store& db, const std::string& user_id, std::ostream& out) {
  std::int64_t written = 0;
  Status status = db.Read([&](store::Connection& conn) -> Status {
    return store::ForEachMemoryOfUser(conn, user_id, [&](const store::MemoryRow& m) -> Status {
      json::object line = MemoryJson(m);
      line.erase("author_id");  // the importing user becomes the author
      line.erase("scope");      // derived from the share columns
      // Which delete trashed it (migration 7), so a restore after import brings back
      // what it would have brought back here.
      line["trashed_by_memory_id"] =
          m.trashed_by_memory_id ? json::value(*m.trashed_by_memory_id) : json::value(nullptr);
      Result<std::vector<store::VersionRow>> versions = store::ListVersions(conn, m.id);
      if (!versions.ok()) return versions.status();
      json::array list;
      for (const auto& v : *versions) list.push_back(VersionJson(v));
      line["versions"] = std::move(list);
      out << json::serialize(line) << '\n';
      if (!out) return Status::IoError("could not write the export (disk full?)");
      ++written;
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  out.flush();
  if (!out) return Status::IoError("could not write the export (disk full?)");
  return written;
}

// ---------------------------------------------------------------- import

namespace {

// Field access with errors that name the field.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  Result<std::optional<std::string>> OptionalString(std::string_view name) const {
    const json::value* v = o_.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) return Status::InvalidArgument(std::string(name) + ": must be a string");
    return std::optional<std::string>(std::string(v->get_string()));
  }
  Result<std::string> RequiredString(std::string_view name) const {
    Result<std::optional<std::string>> s = OptionalString(name);
    if (!s.ok()) return s.status();
    if (!*s) return Status::InvalidArgument(std::string(name) + ": required field is missing");
    return **s;
  }
  Result<std::optional<std::vector<std::string>>> OptionalStrings(std::string_view name) const {
    const json::value* v = o_.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
    if (!v->is_array()) return Status::InvalidArgument(std::string(name) + ": must be an array of strings");
    std::vector<std::string> out;
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) return Status::InvalidArgument(std::string(name) + ": must be an array of strings");
      out.emplace_back(item.get_string());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }
  Result<std::optional<std::string>> OptionalTimestamp(std::string_view name) const {
    Result<std::optional<std::string>> s = OptionalString(name);
    if (!s.ok() || !*s) return s;
    Result<std::string> t = NormalizeTimestamp(**s, name);
    if (!t.ok()) return t.status();
    return std::optional<std::string>(*t);
  }

 private:
  const json::object& o_;
};

template <typename T>
Status Take(Result<T> r, T& into) {
  if (!r.ok()) return r.status();
  into = std::move(r).value();
  return Status::Ok();
}

// The columns of a memory as one import line gives them, checked like write_memory.
Result<store::MemoryRow> MemoryFromLine(const json::object& o, const std::string& user_id, const std::string& now) {
  Fields f(o);
  store::MemoryRow m;
  m.user_id = user_id;
  std::optional<std::string> id, origin, type, created, updated;
  RM_RETURN_IF_ERROR(Take(f.OptionalString("id"), id));
  m.id = id.value_or(NewUuid());
  if (m.id.empty() || m.id.size() > 128) return Status::InvalidArgument("id: must be 1 to 128 characters");
  RM_RETURN_IF_ERROR(Take(f.RequiredString("title"), m.title));
  RM_RETURN_IF_ERROR(CheckTitle(m.title));
  RM_RETURN_IF_ERROR(Take(f.RequiredString("content"), m.content));
  RM_RETURN_IF_ERROR(CheckContent(m.content));
  std::optional<std::vector<std::string>> tags, vendors;
  RM_RETURN_IF_ERROR(Take(f.OptionalStrings("tags"), tags));
  Result<std::vector<std::string>> checked_tags = NormalizeTags(tags.value_or(std::vector<std::string>{}));
  if (!checked_tags.ok()) return checked_tags.status();
  m.tags_json = ToJsonText(*checked_tags);
  RM_RETURN_IF_ERROR(Take(f.OptionalStrings("allowed_vendors"), vendors));
  Result<std::vector<std::string>> checked_vendors =
      NormalizeVendors(vendors.value_or(std::vector<std::string>{"*"}));
  if (!checked_vendors.ok()) return checked_vendors.status();
  m.allowed_vendors_json = ToJsonText(*checked_vendors);
  RM_RETURN_IF_ERROR(Take(f.OptionalString("memory_type"), type));
  m.memory_type = type.value_or("semantic");
  RM_RETURN_IF_ERROR(CheckMemoryType(m.memory_type));
  RM_RETURN_IF_ERROR(Take(f.OptionalString("origin"), origin));
  m.origin = origin.value_or("import");
  if (m.origin.empty() || m.origin.size() > 64) return Status::InvalidArgument("origin: must be 1 to 64 characters");
  RM_RETURN_IF_ERROR(Take(f.OptionalTimestamp("created_at"), created));
  RM_RETURN_IF_ERROR(Take(f.OptionalTimestamp("updated_at"), updated));
  m.created_at = created.value_or(now);
  m.updated_at = updated.value_or(m.created_at);
  RM_RETURN_IF_ERROR(Take(f.OptionalTimestamp("deleted_at"), m.deleted_at));
  RM_RETURN_IF_ERROR(Take(f.OptionalString("shared_with_org_id"), m.shared_with_org_id));
  RM_RETURN_IF_ERROR(Take(f.OptionalString("shared_with_team_id"), m.shared_with_team_id));
  RM_RETURN_IF_ERROR(Take(f.OptionalTimestamp("shared_at"), m.shared_at));
  RM_RETURN_IF_ERROR(Take(f.OptionalString("parent_memory_id"), m.parent_memory_id));
  RM_RETURN_IF_ERROR(Take(f.OptionalString("trashed_by_memory_id"), m.trashed_by_memory_id));
  if (m.trashed_by_memory_id) {
    if (!m.deleted_at) {
      return Status::InvalidArgument("trashed_by_memory_id: set on a memory that is not in the trash (deleted_at is null)");
    }
    if (*m.trashed_by_memory_id != m.id && m.trashed_by_memory_id != m.parent_memory_id) {
      return Status::InvalidArgument("trashed_by_memory_id: must be the memory's own id (deleted on its own) or its "
                                     "parent's (trashed with it)");
    }
  }
  if (m.shared_with_org_id && m.shared_with_team_id) {
    return Status::InvalidArgument("shared_with_org_id and shared_with_team_id: a memory is shared with one or the other");
  }
  return m;
}

Result<std::vector<store::VersionRow>> VersionsFromLine(const json::object& o) {
  std::vector<store::VersionRow> versions;
  const json::value* list = o.if_contains("versions");
  if (!list || list->is_null()) return versions;
  if (!list->is_array()) return Status::InvalidArgument("versions: must be an array");
  std::set<std::int64_t> numbers;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& item = list->get_array()[i];
    const std::string where = "versions[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument(where + ": must be an object");
    const json::object& v = item.get_object();
    Result<store::MemoryRow> fields = MemoryFromLine(v, "", "");
    if (!fields.ok()) return Status::InvalidArgument(where + "." + fields.status().message());
    const json::value* number = v.if_contains("version_number");
    if (!number || !number->is_int64() || number->get_int64() < 1 || !numbers.insert(number->get_int64()).second) {
      return Status::InvalidArgument(where + ".version_number: must be a positive integer, unique per memory");
    }
    if (fields->created_at.empty()) return Status::InvalidArgument(where + ".created_at: required field is missing");
    versions.push_back({number->get_int64(), fields->title, fields->content, fields->tags_json,
                        fields->memory_type, fields->origin, fields->allowed_vendors_json, fields->created_at});
  }
  return versions;
}

// Sets the line's pool as `sharing` says, and checks the user belongs to it (SPEC §3).
Status ApplySharing(store::MemoryRow& memory, const store::User& user, ImportSharing sharing) {
  const bool org = memory.shared_with_org_id.has_value();
  const bool team = memory.shared_with_team_id.has_value();
  if (!org && !team) return Status::Ok();
  if (sharing == ImportSharing::kNone) {
    memory.shared_with_org_id.reset();
    memory.shared_with_team_id.reset();
    memory.shared_at.reset();
    return Status::Ok();
  }
  const std::string field = org ? "shared_with_org_id" : "shared_with_team_id";
  const std::optional<std::string>& users_pool = org ? user.org_id : user.team_id;
  std::optional<std::string>& pool = org ? memory.shared_with_org_id : memory.shared_with_team_id;
  if (sharing == ImportSharing::kMine) {
    if (!users_pool) {
      return Status::InvalidArgument(field + ": " + user.email + " belongs to no " + (org ? "org" : "team") +
                                     " to share it with; import with --sharing none to make it personal");
    }
    pool = users_pool;
    return Status::Ok();
  }
  if (pool != users_pool) {
    return Status::InvalidArgument(field + ": '" + *pool + "' is not the " + (org ? "org" : "team") + " of " +
                                   user.email + " (from another database? import with --sharing mine to share it "
                                   "with theirs, or --sharing none to make it personal)");
  }
  return Status::Ok();
}

// Checks that refer to the database: pools, parent; then inserts the line.
Status InsertLine(store::Connection& conn, const store::User& user, const json::object& o, const std::string& now,
                  ImportSharing sharing, ImportSummary& summary) {
  Result<store::MemoryRow> memory = MemoryFromLine(o, user.id, now);
  if (!memory.ok()) return memory.status();
  Result<std::vector<store::VersionRow>> versions = VersionsFromLine(o);
  if (!versions.ok()) return versions.status();
  RM_RETURN_IF_ERROR(ApplySharing(*memory, user, sharing));
  if (memory->parent_memory_id) {
    const store::Viewer owner{user.id, user.org_id, user.team_id, std::nullopt};
    Result<std::optional<store::MemoryRow>> parent =
        store::FindVisibleMemory(conn, owner, *memory->parent_memory_id, store::TrashFilter::kAny);
    if (!parent.ok()) return parent.status();
    if (!*parent) {
      return Status::InvalidArgument("parent_memory_id: memory '" + *memory->parent_memory_id +
                                     "' is neither earlier in the file nor a memory " + user.email + " can see");
    }
    if ((*parent)->parent_memory_id) {
      return Status::InvalidArgument("parent_memory_id: '" + *memory->parent_memory_id + "' is itself a reply");
    }
    const bool parent_trashed = (*parent)->deleted_at.has_value();
    if (memory->trashed_by_memory_id == memory->parent_memory_id && !parent_trashed) {
      return Status::InvalidArgument("trashed_by_memory_id: names the parent, which is not in the trash");
    }
    // A file from before migration 7 does not say: as restore did then, a trashed
    // reply of a trashed parent comes back with it.
    if (memory->deleted_at && !o.contains("trashed_by_memory_id") && parent_trashed) {
      memory->trashed_by_memory_id = memory->parent_memory_id;
    }
  }
  if (memory->deleted_at && !memory->trashed_by_memory_id) memory->trashed_by_memory_id = memory->id;
  Status inserted = store::InsertMemory(conn, *memory);
  if (inserted.code() == Status::Code::kAlreadyExists) {
    return Status::InvalidArgument("id: a memory '" + memory->id + "' already exists");
  }
  RM_RETURN_IF_ERROR(inserted);
  for (const store::VersionRow& v : *versions) {
    RM_RETURN_IF_ERROR(store::InsertVersion(conn, NewUuid(), memory->id, user.id, v));
  }
  ++summary.memories;
  summary.versions += static_cast<std::int64_t>(versions->size());
  return Status::Ok();
}

}  // namespace

Result<ImportSummary> ImportMemories(store::Store& db, const std::string& user_id, std::istream& in,
                                     const std::function<void(std::int64_t)>& progress, ImportSharing sharing) {
  ImportSummary summary;
  Status status = db.Write([&](store::Connection& conn) -> Status {
    summary = {};
    Result<store::User> user = store::FindUserById(conn, user_id);
    if (!user.ok()) return user.status();
    const std::string now = NowUtc();
    std::string text;
    std::int64_t line = 0;
    while (std::getline(in, text)) {
      ++line;
      if (progress && line % 10000 == 0) progress(line);
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines are fine
      boost::system::error_code ec;
      json::value value = json::parse(text, ec);
      Status st;
      if (ec) st = Status::InvalidArgument("not JSON (" + ec.message() + ")");
      else if (!value.is_object()) st = Status::InvalidArgument("a line must be one JSON object (a memory)");
      else st = InsertLine(conn, *user, value.get_object(), now, sharing, summary);
      if (!st.ok()) {
        return Status::InvalidArgument("line " + std::to_string(line) + ": " + st.message() +
                                       "; nothing was imported");
      }
    }
    if (in.bad()) return Status::IoError("could not read the import file");
    // The plan's limit, as write_memory applies it.
    std::optional<store::PlanLimits> limits = store::LimitsOfPlan(user->plan);
    if (limits && limits->max_memories) {
      RM_RETURN_IF_ERROR(HoldQuotaCount(conn, *user));
      Result<std::int64_t> stored = MemoriesCountedByQuota(conn, *user);
      if (!stored.ok()) return stored.status();
      if (*stored > *limits->max_memories) {
        return Status::QuotaExceeded("the import would make " + std::to_string(*stored) + " memories; the " +
                                     user->plan + " plan stores at most " +
                                     std::to_string(*limits->max_memories) + "; nothing was imported");
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return summary;
}

}  // namespace rm::tools
