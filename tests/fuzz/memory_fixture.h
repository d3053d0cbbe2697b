// MemoryFixture: the real Reflect Memory server — every memory tool registered
// against a throwaway SQLite store — for the fuzz targets of this folder.
//
// One fixture lives for the whole fuzzing process (building a store per input
// would make each run cost milliseconds). So that the store does not grow without
// bound over millions of inputs (and searches slow down with it), it is rebuilt
// every kInputsPerStore inputs.
//
// The store holds one user, owner of an org with a team, and a few memories of
// every kind (a parent with a reply, an org-shared one, an agent's one, a trashed
// one). Fuzz inputs cannot know their random ids, so they name them with the
// placeholders "@m0".."@m4", which SubstitutePlaceholders() replaces.
#pragma once

#include <any>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "mcp/server_definition.h"
#include "mcp/session.h"
#include "store/database.h"

namespace fuzz {

// Who a fuzzed call comes from: the three identities of SPEC §2.
enum class Identity {
  kLocalOwner,  // serve --stdio without a key: the local owner, vendor inferred from clientInfo
  kOwnerKey,    // an owner key over HTTP: no vendor filter, origin "api"
  kAgentKey,    // an agent key of vendor "claude" over HTTP: vendor filter on
};

class MemoryFixture {
 public:
  // Rebuilds the store every this many inputs.
  static constexpr int kInputsPerStore = 2000;

  // The process's fixture. Call BeginInput() once per fuzz input.
  static MemoryFixture& Get();

  // Counts an input; rebuilds the store when it is due.
  void BeginInput();
  // Commits the input's read metering (Database::WriteLater) before returning, so the
  // metering writes are fuzzed too, and no store thread is mid-commit when libFuzzer or
  // the replay test exits (the fixture is never destroyed).
  void EndInput() { db_->FlushWritesLater(); }

  const mcp::ServerDefinition& server() const { return *server_; }
  // What a transport's authenticator would hand to mcp::Session for `who`.
  std::any PrincipalOf(Identity who) const;
  // An initialized session of `who` (client "claude-code", revision 2025-11-25), reused
  // across inputs: initialize computes the briefing, which would dominate each run.
  mcp::Session& SessionOf(Identity who) { return *sessions_[static_cast<int>(who)]; }
  // The tool names, sorted.
  const std::vector<std::string>& tool_names() const { return tool_names_; }

  // Replaces every string "@m0".."@m4" inside `value` (at any depth) by the id of
  // seeded memory 0..4; other strings are left alone.
  void SubstitutePlaceholders(boost::json::value& value) const;

 private:
  MemoryFixture();
  void Build();
  void Seed();

  std::unique_ptr<rm::store::Database> db_;
  std::unique_ptr<mcp::ServerDefinition> server_;
  std::unique_ptr<mcp::Session> sessions_[3];  // by Identity
  std::string user_id_;
  std::vector<std::string> memory_ids_;
  std::vector<std::string> tool_names_;
  int inputs_ = 0;
};

// Aborts the process (so libFuzzer records the input) with `what` when `ok` is false:
// the fuzz targets' invariants, checked in every build type.
void Require(bool ok, std::string_view what, std::string_view detail = {});

}  // namespace fuzz
