// reflect-memory key create | list | revoke
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/api_keys.h"
#include "store/users.h"
#include "store/validation.h"

namespace rm::app {
namespace {

struct KeyCreateArgs {
  std::string email;
  std::string vendor;  // empty: an owner key
  std::string label = "Default";
};

// The hint for a failure to find or create a key, by what went wrong.
std::string_view KeyHint(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound: return kHintUnknownUser;
    case Status::Code::kQuotaExceeded:
      return "revoke an unused key with `reflect-memory key revoke KEY_ID` "
             "(see `reflect-memory key list --user EMAIL`)";
    default: return "";
  }
}

int RunKeyCreate(const CliContext& ctx, const KeyCreateArgs& args) {
  Result<std::string> email = store::NormalizeEmail(args.email);
  if (!email.ok()) return ReportError(email.status());
  std::optional<std::string> vendor;
  if (!args.vendor.empty()) {
    if (Status s = store::ValidateVendorName(args.vendor); !s.ok()) return ReportError(s);
    vendor = args.vendor;
  }
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto created = store::WriteValue<store::CreatedApiKey>(**db, [&](store::Connection& c)
                                                             -> Result<store::CreatedApiKey> {
    Result<store::User> user = store::FindUserByEmail(c, *email);
    if (!user.ok()) return user.status();
    return store::CreateApiKey(c, {user->id, args.label, vendor});
  });
  if (!created.ok()) return ReportError(created.status(), KeyHint(created.status()));
  if (ctx.json) {
    boost::json::object out = ToJson(created->key).as_object();
    out["key"] = created->secret;
    PrintJson(out);
  } else {
    std::cout << "created " << (vendor ? "agent key for vendor " + *vendor : std::string("owner key"))
              << " " << created->key.id << " for " << *email << "\n"
              << "copy it now: it is shown only this once\n"
              << created->secret << "\n";
  }
  return kExitOk;
}

int RunKeyList(const CliContext& ctx, const std::string& raw_email) {
  Result<std::string> email = store::NormalizeEmail(raw_email);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto keys = store::ReadValue<std::vector<store::ApiKey>>(
      **db, [&](store::Connection& c) -> Result<std::vector<store::ApiKey>> {
        Result<store::User> user = store::FindUserByEmail(c, *email);
        if (!user.ok()) return user.status();
        return store::ListApiKeys(c, user->id);
      });
  if (!keys.ok()) return ReportError(keys.status(), KeyHint(keys.status()));
  if (ctx.json) {
    boost::json::array list;
    for (const store::ApiKey& k : *keys) list.push_back(ToJson(k));
    PrintJson(list);
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const store::ApiKey& k : *keys) {
    rows.push_back({k.id, k.key_prefix, k.label, OrDash(k.vendor), k.created_at,
                    OrDash(k.last_used_at), OrDash(k.revoked_at)});
  }
  PrintTable(std::cout, {"ID", "PREFIX", "LABEL", "VENDOR", "CREATED", "LAST_USED", "REVOKED"}, rows);
  return kExitOk;
}

int RunKeyRevoke(const CliContext& ctx, const std::string& key_id) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto revoked = store::WriteValue<store::RevokedApiKey>(
      **db, [&](store::Connection& c) { return store::RevokeApiKey(c, key_id); });
  if (!revoked.ok()) {
    bool not_found = revoked.status().code() == Status::Code::kNotFound;
    return ReportError(revoked.status(), not_found ? "pass the key's ID (not the key itself); see "
                                                     "`reflect-memory key list --user EMAIL`"
                                                   : "");
  }
  if (ctx.json) {
    PrintJson(ToJson(revoked->key));
  } else if (revoked->was_already_revoked) {
    std::cout << "key " << key_id << " (" << revoked->key.key_prefix << ") was already revoked at "
              << OrDash(revoked->key.revoked_at) << "\n";
  } else {
    std::cout << "revoked key " << key_id << " (" << revoked->key.key_prefix
              << "); it stops working within a second, in running servers too\n";
  }
  return kExitOk;
}

}  // namespace

void AddKeyCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* key = app.add_subcommand("key", "Manage API keys (only their SHA-256 hash is stored)");
  key->require_subcommand(1);

  auto create_args = std::make_shared<KeyCreateArgs>();
  CLI::App* create = key->add_subcommand(
      "create", "Create an API key; prints it once (an agent key with --vendor, else an owner key)");
  create->add_option("--user", create_args->email, "Email of the key's owner")->required();
  create->add_option("--vendor", create_args->vendor,
                     "Bind the key to a vendor, e.g. claude, cursor ([a-z][a-z0-9_-]{0,31})");
  create->add_option("--label", create_args->label, "A name to recognise the key by")
      ->capture_default_str();
  OnSelected(create, ctx, [&ctx, create_args] { return RunKeyCreate(ctx, *create_args); });

  auto list_email = std::make_shared<std::string>();
  CLI::App* list = key->add_subcommand("list", "List a user's keys (prefixes only), revoked included");
  list->add_option("--user", *list_email, "Email of the keys' owner")->required();
  OnSelected(list, ctx, [&ctx, list_email] { return RunKeyList(ctx, *list_email); });

  auto revoke_id = std::make_shared<std::string>();
  CLI::App* revoke = key->add_subcommand("revoke", "Revoke a key by its id; it stops working within a second");
  revoke->add_option("KEY_ID", *revoke_id, "The key's ID, as shown by `key list`")->required();
  OnSelected(revoke, ctx, [&ctx, revoke_id] { return RunKeyRevoke(ctx, *revoke_id); });
}

}  // namespace rm::app
