// The cookies of the web pages: the sign-in session, and the sign-in form's CSRF token
// (a double-submit cookie: there is no session yet to hold it).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace rm::web {

inline constexpr std::string_view kSessionCookie = "rm_session";
inline constexpr std::string_view kSigninCsrfCookie = "rm_signin_csrf";

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(std::string_view cookie_header, std::string_view name);

// A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure when `secure`. A zero
// `max_age` deletes the cookie.
std::string SetCookie(std::string_view name, std::string_view value, std::chrono::seconds max_age, bool secure);

// Constant-time equality for secrets (CSRF tokens): the time does not tell how much matched.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace rm::web
