// Argon2id password hashes (util/password_hash.h) and PKCE S256 (util/pkce.h), the two
// primitives web sign-in and OAuth are built on.
#include <gtest/gtest.h>

#include <string>

#include "util/password_hash.h"
#include "util/pkce.h"

namespace rm {
namespace {

// ------------------------------------------------------------------ passwords

TEST(PasswordHash, VerifiesTheRightPasswordOnlyAndSaltsEachHash) {
  Result<std::string> hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  // The encoded form carries the algorithm and its parameters, so they can grow later.
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=3,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *hash));
  EXPECT_FALSE(VerifyPassword("Correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));

  Result<std::string> again = HashPassword("correct horse battery staple");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash);  // a fresh salt each time
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *again));
}

TEST(PasswordHash, AMalformedOrForeignHashNeverVerifies) {
  Result<std::string> hash = HashPassword("pässwörd with ünïcode");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword("pässwörd with ünïcode", *hash));
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string("$argon2id$"), hash->substr(0, hash->size() - 5),
        hash->substr(0, hash->rfind('$')), std::string("$argon2i") + hash->substr(9),
        std::string("$argon2id$v=19$m=65536,t=3,p=1$not base64$not base64")}) {
    EXPECT_FALSE(VerifyPassword("pässwörd with ünïcode", bad)) << bad;
  }
}

TEST(PasswordHash, RefusesAnEmptyOrOverlongPassword) {
  EXPECT_EQ(HashPassword("").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(1025, 'x')).status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(VerifyPassword(std::string(1025, 'x'), "$argon2id$v=19$m=65536,t=3,p=1$AAAA$AAAA"));
}

// ------------------------------------------------------------------ PKCE

// RFC 7636, appendix B.
constexpr const char* kRfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kRfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, S256MatchesRfc7636AppendixB) {
  EXPECT_EQ(PkceS256Challenge(kRfcVerifier), kRfcChallenge);
  EXPECT_TRUE(PkceS256Matches(kRfcVerifier, kRfcChallenge));
  EXPECT_FALSE(PkceS256Matches(kRfcVerifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
  EXPECT_FALSE(PkceS256Matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK", kRfcChallenge));
  EXPECT_FALSE(PkceS256Matches(kRfcVerifier, kRfcVerifier));  // "plain" is not accepted
}

TEST(Pkce, VerifierIs43To128UnreservedCharacters) {
  EXPECT_TRUE(IsValidPkceVerifier(std::string(43, 'a')));
  EXPECT_TRUE(IsValidPkceVerifier(std::string(128, '~')));
  EXPECT_TRUE(IsValidPkceVerifier("AZaz09-._~" + std::string(33, 'x')));
  EXPECT_FALSE(IsValidPkceVerifier(std::string(42, 'a')));
  EXPECT_FALSE(IsValidPkceVerifier(std::string(129, 'a')));
  for (char bad : {'+', '/', '=', ' ', '%', '\0', '\n'}) {
    EXPECT_FALSE(IsValidPkceVerifier(std::string(42, 'a') + bad)) << int(bad);
  }
  EXPECT_TRUE(IsValidPkceChallenge(kRfcChallenge));
  EXPECT_FALSE(IsValidPkceChallenge(std::string(kRfcChallenge) + "="));
  EXPECT_FALSE(IsValidPkceChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
}

}  // namespace
}  // namespace rm
