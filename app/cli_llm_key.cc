// reflect-memory llm-key set | list | remove (SPEC §1, issue 17): provider keys for
// semantic search and cluster names, stored sealed (util/llm_key_cipher.h). The key
// is read from stdin — never from argv (other users see a process's arguments) —
// and is never printed, logged or returned: only its last four characters.
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/llm_keys.h"
#include "store/orgs.h"
#include "store/users.h"
#include "store/validation.h"
#include "util/llm_key_cipher.h"

namespace rm::app {
namespace {

constexpr std::size_t kMaxKeyBytes = 4096;

struct LlmKeySetArgs {
  std::string user_email;
  std::string org_id;
  std::string provider;
  std::string model;
  std::string base_url;
  std::string embedding_model;  // empty: semantic search stays off
};

// The key from stdin: one line (or all of it), surrounding whitespace dropped.
Result<std::string> ReadKey(std::istream& in) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Status::InvalidArgument("no key on stdin: pipe it in, e.g. `printf %s \"$KEY\" | reflect-memory llm-key set …`");
  }
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  if (text.size() > kMaxKeyBytes) return Status::InvalidArgument("the key on stdin is longer than 4096 bytes");
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("the key on stdin holds a control character or several lines");
  }
  return text;
}

Status CheckArgs(const LlmKeySetArgs& args) {
  static const std::regex kProvider("[a-z][a-z0-9_-]{0,31}");
  if (!std::regex_match(args.provider, kProvider)) {
    return Status::InvalidArgument("--provider: '" + args.provider +
                                   "' is not a provider name (lower-case letters, digits, '-' or '_'; e.g. openai)");
  }
  if (args.model.empty() || args.model.size() > 128) return Status::InvalidArgument("--model: give 1 to 128 characters");
  if (args.embedding_model.size() > 128) {
    return Status::InvalidArgument("--embedding-model: give 1 to 128 characters");
  }
  if (!args.base_url.empty() && args.base_url.rfind("https://", 0) != 0 && args.base_url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("--base-url: '" + args.base_url + "' must start with https:// or http://");
  }
  return Status::Ok();
}

int RunLlmKeySet(const CliContext& ctx, const LlmKeySetArgs& args) {
  if (Status s = CheckArgs(args); !s.ok()) return ReportError(s);
  Result<std::optional<LlmKeyCipher>> cipher = LlmKeyCipher::FromEnvironment();
  if (!cipher.ok()) return ReportError(cipher.status());
  if (!*cipher) {
    return ReportError(Status::FailedPrecondition(std::string(kLlmMasterKeyVariable) +
                                                  " is not set: provider keys are stored encrypted under it"),
                       "set it to 32 random bytes (`export " + std::string(kLlmMasterKeyVariable) +
                           "=$(openssl rand -hex 32)`), the same for every process serving this store, and keep it safe");
  }
  Result<std::string> key = ReadKey(std::cin);
  if (!key.ok()) return ReportError(key.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  std::string tenant_label;
  Result<store::LlmKeyRow> stored = store::WriteValue<store::LlmKeyRow>(**db, [&](store::Connection& c) -> Result<store::LlmKeyRow> {
    store::LlmKeyRow row;
    if (!args.user_email.empty()) {
      Result<store::User> user = store::FindUserByEmail(c, args.user_email);
      if (!user.ok()) return user.status();
      row.user_id = user->id;
      tenant_label = "user " + user->email;
    } else {
      Result<store::Org> org = store::FindOrgById(c, args.org_id);
      if (!org.ok()) return org.status();
      row.org_id = org->id;
      tenant_label = "org " + org->name;
    }
    row.provider = args.provider;
    row.model = args.model;
    if (!args.base_url.empty()) row.base_url = args.base_url;
    if (!args.embedding_model.empty()) row.embedding_model = args.embedding_model;
    LlmKeyCipher::Sealed sealed = (*cipher)->Encrypt(row.tenant_id(), row.provider, *key);
    row.key_encrypted = std::move(sealed.ciphertext);
    row.key_nonce = std::move(sealed.nonce);
    row.key_last4 = key->size() > 4 ? key->substr(key->size() - 4) : std::string();
    return store::PutLlmKey(c, std::move(row));
  });
  if (!stored.ok()) return ReportError(stored.status());
  if (ctx.json) {
    PrintJson(boost::json::object{{"id", stored->id}, {"provider", stored->provider}, {"model", stored->model},
                                  {"embedding_model", stored->embedding_model ? boost::json::value(*stored->embedding_model)
                                                                              : nullptr},
                                  {"key_last4", stored->key_last4}});
  } else {
    std::cout << "stored the " << stored->provider << " key …" << stored->key_last4 << " for " << tenant_label
              << " (model " << stored->model
              << (stored->embedding_model ? ", embeddings " + *stored->embedding_model + ": semantic search on"
                                          : ", no embeddings model: semantic search off")
              << ")\n"
              << stored->id << "\n";
  }
  return kExitOk;
}

int RunLlmKeyList(const CliContext& ctx) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto keys = store::ReadValue<std::vector<store::LlmKeyRow>>(**db, [](store::Connection& c) { return store::ListLlmKeys(c); });
  if (!keys.ok()) return ReportError(keys.status());
  if (ctx.json) {
    boost::json::array list;
    for (const auto& k : *keys) {
      list.push_back({{"id", k.id},
                      {"user_id", k.user_id ? boost::json::value(*k.user_id) : nullptr},
                      {"org_id", k.org_id ? boost::json::value(*k.org_id) : nullptr},
                      {"provider", k.provider},
                      {"model", k.model},
                      {"embedding_model", k.embedding_model ? boost::json::value(*k.embedding_model) : nullptr},
                      {"base_url", k.base_url ? boost::json::value(*k.base_url) : nullptr},
                      {"key_last4", k.key_last4},
                      {"updated_at", k.updated_at}});
    }
    PrintJson(list);
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const auto& k : *keys) {
    rows.push_back({k.id, k.user_id ? "user " + *k.user_id : "org " + k.org_id.value_or(""), k.provider, k.model,
                    OrDash(k.embedding_model), OrDash(k.base_url), "…" + k.key_last4, k.updated_at});
  }
  PrintTable(std::cout, {"ID", "FOR", "PROVIDER", "MODEL", "EMBEDDING_MODEL", "BASE_URL", "KEY", "UPDATED"}, rows);
  return kExitOk;
}

int RunLlmKeyRemove(const CliContext& ctx, const std::string& id) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  Status removed = (*db)->Write([&](store::Connection& c) { return store::RemoveLlmKey(c, id); });
  if (!removed.ok()) return ReportError(removed);
  if (ctx.json) PrintJson(boost::json::object{{"removed", id}});
  else std::cout << "removed LLM key " << id << "\n";
  return kExitOk;
}

}  // namespace

void AddLlmKeyCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* group = app.add_subcommand("llm-key", "Manage LLM provider keys (stored encrypted with $" +
                                                      std::string(kLlmMasterKeyVariable) + ")");
  group->require_subcommand(1);

  auto set_args = std::make_shared<LlmKeySetArgs>();
  CLI::App* set = group->add_subcommand("set", "Store a user's or an org's key for a provider; the key is read from stdin");
  CLI::Option* user = set->add_option("--user", set_args->user_email, "The user the key belongs to (email)");
  CLI::Option* org = set->add_option("--org", set_args->org_id, "The org the key belongs to (org id)");
  user->excludes(org);
  set->add_option("--provider", set_args->provider, "Provider name, e.g. openai")->required();
  set->add_option("--model", set_args->model, "Model to call, e.g. text-embedding-3-small")->required();
  set->add_option("--embedding-model", set_args->embedding_model,
                  "Embeddings model (e.g. text-embedding-3-small): turns semantic search on for the user or org")
      ->type_name("MODEL");
  set->add_option("--base-url", set_args->base_url,
                  "An OpenAI-compatible server (Azure OpenAI, Ollama, vLLM, ...); default: the provider's API");
  OnSelected(set, ctx, [&ctx, set_args, user, org] {
    if (user->count() + org->count() != 1) {
      return ReportError(Status::InvalidArgument("give exactly one of --user EMAIL and --org ORG_ID"));
    }
    return RunLlmKeySet(ctx, *set_args);
  });

  CLI::App* list = group->add_subcommand("list", "List the stored keys (their last four characters only)");
  OnSelected(list, ctx, [&ctx] { return RunLlmKeyList(ctx); });

  auto remove_id = std::make_shared<std::string>();
  CLI::App* remove = group->add_subcommand("remove", "Remove a stored key");
  remove->add_option("ID", *remove_id, "The key's id (from llm-key list)")->required();
  OnSelected(remove, ctx, [&ctx, remove_id] { return RunLlmKeyRemove(ctx, *remove_id); });
}

}  // namespace rm::app
