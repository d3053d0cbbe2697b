// Replays every committed input of one fuzz target — its seed corpus and the inputs
// that once crashed it (regressions/) — through LLVMFuzzerTestOneInput. Runs in the
// ordinary build (and again under ASan+UBSan), so each target keeps compiling with
// GCC and a crash once fixed stays fixed without a fuzzing run.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <algorithm>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void ReplayAll(const std::filesystem::path& dir) {
  for (const std::filesystem::path& file : FilesIn(dir)) {
    SCOPED_TRACE(file.string());
    const std::string input = ReadFile(file);
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()), 0);
  }
}

// RM_FUZZ_SUITE names the target (FuzzJsonRpc, ...), so ctest lists each binary's tests apart.
TEST(RM_FUZZ_SUITE, SeedCorpusRunsCleanly) {
  const std::filesystem::path corpus = RM_FUZZ_CORPUS;
  ASSERT_FALSE(FilesIn(corpus).empty()) << "no seed inputs in " << corpus;
  ReplayAll(corpus);
}

TEST(RM_FUZZ_SUITE, FormerCrashesStayFixed) { ReplayAll(RM_FUZZ_REGRESSIONS); }

}  // namespace
