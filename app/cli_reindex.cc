// reflect-memory reindex [--user EMAIL] (SPEC §1, issue 17): computes now, and waits
// for, every vector semantic search is missing — memories never embedded, changed
// since, or embedded with another model than their author's key names — instead of
// leaving it to the server's background worker (tools/embedding_worker.h). Progress
// goes to stderr; a summary to stdout (or --json). The full-text index needs no
// rebuild: triggers keep it in the writes' transactions (`check` verifies it).
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/users.h"
#include "tools/embedding_worker.h"
#include "util/llm_key_cipher.h"

namespace rm::app {
namespace {

int RunReindex(const CliContext& ctx, const std::string& email) {
  Result<std::optional<LlmKeyCipher>> cipher = LlmKeyCipher::FromEnvironment();
  if (!cipher.ok()) return ReportError(cipher.status());
  if (!*cipher) {
    return ReportError(Status::FailedPrecondition(std::string(kLlmMasterKeyVariable) +
                                                  " is not set: the stored LLM keys cannot be opened"),
                       "set it to the master key the keys were stored with (`llm-key set`)");
  }
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto users = store::ReadValue<std::vector<store::User>>(**db, [&](store::Connection& c)
                                                              -> Result<std::vector<store::User>> {
    if (email.empty()) return store::ListUsers(c);
    Result<store::User> user = store::FindUserByEmail(c, email);
    if (!user.ok()) return user.status();
    return std::vector<store::User>{std::move(*user)};
  });
  if (!users.ok()) return ReportError(users.status());

  tools::EmbeddingOptions options;
  std::int64_t embedded = 0, unchanged = 0, enabled_users = 0, failed_users = 0;
  for (const store::User& user : *users) {
    Result<tools::EmbeddingPass> pass =
        tools::EmbedStaleMemories(**db, **cipher, user.id, options, [&](std::int64_t done, std::int64_t total) {
          std::cerr << "reindex: " << user.email << ": " << done << "/" << total << " memories\n";
        });
    if (!pass.ok()) {
      ++failed_users;
      std::cerr << "reindex: " << user.email << ": " << pass.status().message()
                << " (the vectors stored before it stay; run reindex again)\n";
      continue;
    }
    if (pass->enabled) ++enabled_users;
    embedded += pass->embedded;
    unchanged += pass->unchanged;
  }
  if (ctx.json) {
    PrintJson(boost::json::object{{"users", users->size()},
                                  {"users_with_semantic_search", enabled_users},
                                  {"users_failed", failed_users},
                                  {"embedded", embedded},
                                  {"unchanged", unchanged}});
  } else {
    std::cout << "embedded " << embedded << " memories (" << unchanged << " were current already) for "
              << enabled_users << " of " << users->size() << " users with semantic search on";
    if (failed_users > 0) std::cout << "; " << failed_users << " failed (see above)";
    std::cout << "\n";
    if (enabled_users == 0 && failed_users == 0) {
      std::cout << "no user has an embeddings model: `llm-key set ... --embedding-model MODEL` turns it on\n";
    }
  }
  return failed_users > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void AddReindexCommand(CLI::App& app, CliContext& ctx) {
  auto email = std::make_shared<std::string>();
  CLI::App* reindex = app.add_subcommand(
      "reindex", "Compute the missing or outdated vectors of semantic search now (needs $" +
                     std::string(kLlmMasterKeyVariable) + ")");
  reindex->add_option("--user", *email, "Only this user's memories (email)")->type_name("EMAIL");
  OnSelected(reindex, ctx, [&ctx, email] { return RunReindex(ctx, *email); });
}

}  // namespace rm::app
