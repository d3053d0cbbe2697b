#include "tools/provider_keys.h"

namespace rm::tools {

Result<std::string> OpenProviderKey(const LlmKeyCipher& cipher, const store::LlmKeyRow& row) {
  return cipher.Decrypt(row.tenant_id(), row.provider, {row.key_nonce, row.key_encrypted});
}

std::string ProviderUrl(const std::string& base_url, std::string_view path) {
  std::string base = base_url.empty() ? "https://api.openai.com/v1" : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

}  // namespace rm::tools
