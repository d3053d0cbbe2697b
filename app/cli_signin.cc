// reflect-memory user set-password | signin-link (SPEC §1, §8): how a person signs in to the
// web pages. The password is read from stdin (or typed at a prompt with echo off) — never
// from argv, which other users can see — and is stored only as an Argon2id hash.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/public_url.h"
#include "store/users.h"
#include "store/validation.h"
#include "store/web_accounts.h"
#include "util/clock.h"
#include "util/password_hash.h"

namespace rm::app {
namespace {

constexpr std::size_t kMinPasswordChars = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;  // HashPassword's limit
constexpr std::chrono::minutes kSignInLinkTtl{15};

// Characters, not bytes: a UTF-8 continuation byte does not start one.
std::size_t CountChars(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// One line typed at the terminal with echo off (the terminal is restored whatever happens).
std::string PromptHidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool is_terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (is_terminal) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << "\n";
  return line;
}

// The password: one line of stdin without its line ending, or typed twice at a prompt.
Result<std::string> ReadPassword(const std::string& email) {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    password = PromptHidden("New password for " + email + ": ");
    if (PromptHidden("Repeat it: ") != password) return Status::InvalidArgument("the two passwords differ");
  } else {
    if (!std::getline(std::cin, password)) {
      return Status::InvalidArgument(
          "no password on stdin: pipe it in, e.g. `printf '%s\\n' \"$PASSWORD\" | reflect-memory user set-password EMAIL`");
    }
    std::string rest;
    while (std::getline(std::cin, rest)) {
      if (!rest.empty() && rest != "\r") {
        return Status::InvalidArgument("stdin holds several lines: give the password alone, on one line");
      }
    }
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() > kMaxPasswordBytes) return Status::InvalidArgument("the password is longer than 1,024 bytes");
  if (CountChars(password) < kMinPasswordChars) {
    return Status::InvalidArgument("the password is shorter than " + std::to_string(kMinPasswordChars) +
                                   " characters: choose a longer one");
  }
  return password;
}

int RunSetPassword(const CliContext& ctx, const std::string& email_arg) {
  Result<std::string> email = store::NormalizeEmail(email_arg);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  // The user first, so nobody types a password for an account that does not exist.
  auto user = store::ReadValue<store::User>(**db, [&](store::Connection& c) { return store::FindUserByEmail(c, *email); });
  if (!user.ok()) return ReportError(user.status(), kHintUnknownUser);
  Result<std::string> password = ReadPassword(*email);
  if (!password.ok()) return ReportError(password.status());
  Result<std::string> hash = HashPassword(*password);
  if (!hash.ok()) return ReportError(hash.status());
  Status stored = (*db)->Write([&](store::Connection& c) { return store::SetPasswordHash(c, user->id, *hash); });
  if (!stored.ok()) return ReportError(stored, stored.code() == Status::Code::kNotFound ? kHintUnknownUser : "");
  if (ctx.json) {
    PrintJson(boost::json::object{{"user_id", user->id}, {"email", user->email}, {"password_set", true}});
  } else {
    std::cout << "password set for " << user->email << ": they can sign in at /signin\n";
  }
  return kExitOk;
}

struct SignInLinkArgs {
  std::string email;
  std::string public_url;  // empty: $REFLECT_PUBLIC_URL, else http://127.0.0.1:8765 (app/public_url.h)
};


int RunSignInLink(const CliContext& ctx, const SignInLinkArgs& args) {
  Result<std::string> base = CliPublicUrl(args.public_url);
  if (!base.ok()) return ReportError(base.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  std::string email;
  auto token = store::WriteValue<std::string>(**db, [&](store::Connection& c) -> Result<std::string> {
    Result<store::User> user = store::FindUserByEmail(c, args.email);
    if (!user.ok()) return user.status();
    email = user->email;
    return store::CreateSignInLink(c, user->id, kSignInLinkTtl);
  });
  if (!token.ok()) {
    return ReportError(token.status(), token.status().code() == Status::Code::kNotFound ? kHintUnknownUser : "");
  }
  // Within milliseconds of the stored expiry, which the store computed the same way.
  const std::string expires_at = FormatUtc(std::chrono::system_clock::now() + kSignInLinkTtl);
  const std::string url = *base + "/signin?link=" + *token;
  if (ctx.json) {
    PrintJson(boost::json::object{{"url", url}, {"expires_at", expires_at}});
  } else {
    std::cout << "one-time sign-in link for " << email << ", valid for 15 minutes (until " << expires_at << "):\n"
              << url << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddSignInCommands(CLI::App& app, CliContext& ctx) {
  // `user set-password` joins the user group of app/cli_user.cc (added before this).
  CLI::App* user = app.get_subcommand("user");
  auto email = std::make_shared<std::string>();
  CLI::App* set_password = user->add_subcommand(
      "set-password", "Set a user's web sign-in password, read from stdin (one line) or typed at a prompt");
  set_password->add_option("EMAIL", *email, "The user's email address")->required();
  OnSelected(set_password, ctx, [&ctx, email] { return RunSetPassword(ctx, *email); });

  auto link_args = std::make_shared<SignInLinkArgs>();
  CLI::App* link = app.add_subcommand("signin-link", "Print a one-time web sign-in link for a user (valid 15 minutes)");
  link->add_option("--user", link_args->email, "The user who signs in (email)")->required();
  link->add_option("--public-url", link_args->public_url,
                   "The server's base URL (default: $REFLECT_PUBLIC_URL, else http://127.0.0.1:8765)")
      ->type_name("URL");
  OnSelected(link, ctx, [&ctx, link_args] { return RunSignInLink(ctx, *link_args); });
}

}  // namespace rm::app
