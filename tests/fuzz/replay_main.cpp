// Replays inputs through LLVMFuzzerTestOneInput without libFuzzer, so that
// the regression corpus runs in every build (and under ASan/UBSan in
// build-asan).   fuzz_replay [--target T[,T...]] FILE_OR_DIR...
// Regressions are named KIND-TARGET-what-HASH8 (docs/FUZZING.md); with
// --target, a directory's files are replayed only when their TARGET is one
// of T, so each fuzz target's replay takes its own. A file whose TARGET is
// none of kTargets fails the replay: it would be replayed by no target.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Every TARGET a regression's name may carry: fuzz_layout's three backends,
// fuzz_facts and fuzz_policy.
constexpr std::array<std::string_view, 5> kTargets = {"libdw", "libdwarf", "btf", "facts", "policy"};

std::string target_of(const std::string& name) {
  const size_t a = name.find('-');
  if (a == std::string::npos) return "";
  const size_t b = name.find('-', a + 1);
  return name.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

bool listed(const std::string& list, const std::string& t) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(',', start), list.size());
    if (list.compare(start, end - start, t) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  std::string only;  // --target: empty for every file
  size_t others = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--target" && i + 1 < argc) {
      only = argv[++i];
      continue;
    }
    const fs::path p(arg);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p)) {
        const std::string name = e.path().filename().string();
        if (!e.is_regular_file() || name[0] == '.' || e.path().extension() == ".md") continue;
        const std::string t = target_of(name);
        if (std::find(kTargets.begin(), kTargets.end(), t) == kTargets.end()) {
          std::fprintf(stderr, "fuzz_replay: %s: name it KIND-TARGET-what-HASH8, TARGET one of libdw, libdwarf, "
                               "btf, facts, policy (docs/FUZZING.md)\n", e.path().c_str());
          return 1;
        }
        if (only.empty() || listed(only, t)) inputs.push_back(e.path());
        else ++others;
      }
    } else {
      inputs.push_back(p);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "fuzz_replay: cannot read %s\n", p.c_str());
      return 1;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay %s (%zu bytes)\n", p.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%zu passed, 0 failed (%zu for other targets)\n", inputs.size(), others);
  return 0;
}
