// Debug info by build-id: the local /usr/lib/debug/.build-id tree, then
// elfutils' debuginfod client (libdebuginfod), as gdb and libdwfl look.
#include "debuginfo_lookup.hpp"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>

#include <fmt/format.h>

#include "padguard/error.hpp"

namespace padguard::debuginfo {

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

struct ElfFile {
  int fd = -1;
  Elf* elf = nullptr;
  explicit ElfFile(const std::string& path) {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    elf_version(EV_CURRENT);
    elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf != nullptr && elf_kind(elf) != ELF_K_ELF) elf_end(elf), elf = nullptr;
  }
  ~ElfFile() {
    if (elf != nullptr) elf_end(elf);
    if (fd >= 0) close(fd);
  }
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
};

// A section named .debug_info (or .zdebug_info) with bytes in the file.
bool has_debug_info(Elf* elf) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type == SHT_NOBITS || sh.sh_size == 0) continue;
    const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (n != nullptr && (std::strcmp(n, ".debug_info") == 0 || std::strcmp(n, ".zdebug_info") == 0)) return true;
  }
  return false;
}

// libdebuginfod, opened on first use as libdw opens it: linked, it would
// load libcurl and some 30 libraries into every run (6 MB, ~15 ms), though
// only a file without local debug info needs it.
struct Client {
  decltype(&debuginfod_begin) begin = nullptr;
  decltype(&debuginfod_end) end = nullptr;
  decltype(&debuginfod_find_debuginfo) find_debuginfo = nullptr;
  decltype(&debuginfod_set_progressfn) set_progressfn = nullptr;
  decltype(&debuginfod_set_user_data) set_user_data = nullptr;
  decltype(&debuginfod_get_user_data) get_user_data = nullptr;
  bool ok = false;
  std::string error;  // dlerror()'s, when not ok
};

const Client& client_library() {
  static const Client c = [] {
    Client l;
    void* h = dlopen(DEBUGINFOD_SONAME, RTLD_LAZY | RTLD_LOCAL);
    if (h == nullptr) {
      const char* e = dlerror();
      l.error = e != nullptr ? e : "not found";
      return l;
    }
    const auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      return fn != nullptr;
    };
    l.ok = sym(l.begin, "debuginfod_begin") && sym(l.end, "debuginfod_end") &&
           sym(l.find_debuginfo, "debuginfod_find_debuginfo") && sym(l.set_progressfn, "debuginfod_set_progressfn") &&
           sym(l.set_user_data, "debuginfod_set_user_data") && sym(l.get_user_data, "debuginfod_get_user_data");
    if (!l.ok) l.error = "a symbol is missing: elfutils older than 0.179";
    return l;
  }();
  return c;
}

struct ClientDeleter {
  void operator()(debuginfod_client* c) const { client_library().end(c); }
};

double mib(long bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Progress of one download on stderr: nothing for the first second (a cached
// or small file says nothing), then a line every 2 s (rewritten in place on
// a terminal, every 0.2 s), and a last line saying what was fetched.
class Progress {
 public:
  explicit Progress(std::string id) : id_(std::move(id)), tty_(isatty(STDERR_FILENO) == 1) {}

  static int callback(debuginfod_client* c, long done, long total) {
    try {  // nothing may unwind through the client's C frames
      static_cast<Progress*>(client_library().get_user_data(c))->update(done, total);
    } catch (...) {
    }
    return 0;  // never abort
  }

  void finish(bool ok, const std::string& where) {
    if (!printed_) return;
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    if (ok)
      std::fprintf(stderr, "%spadguard: build-id %s: fetched %.1f MiB in %.1f s (cached as %s)\n", tty_ ? "\r\033[K" : "",
                   id_.c_str(), mib(done_), secs, where.c_str());
    else if (tty_)
      std::fputs("\n", stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;

  void update(long done, long total) {
    done_ = done;
    const Clock::time_point now = Clock::now();
    if (now - start_ < std::chrono::seconds(1)) return;
    // Waiting, in a log: nothing (the error, if it comes, stays one line).
    if (done <= 0 && !tty_) return;
    if (printed_ && now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(2000))) return;
    last_ = now;
    printed_ = true;
    const std::string of = total > 0 ? fmt::format(" of {:.1f}", mib(total)) : std::string();
    const std::string what = done > 0 ? fmt::format("fetching debug info from debuginfod: {:.1f}{} MiB", mib(done), of)
                                      : fmt::format("waiting for debuginfod ({})", debuginfod_urls());
    std::fprintf(stderr, "%spadguard: build-id %s: %s%s", tty_ ? "\r\033[K" : "", id_.c_str(), what.c_str(),
                 tty_ ? "" : "\n");
    std::fflush(stderr);
  }

  std::string id_;
  bool tty_;
  Clock::time_point start_ = Clock::now(), last_{};
  bool printed_ = false;
  long done_ = 0;
};

// Where the client caches (debuginfod-client.c's order, without the
// pre-0.179 ~/.debuginfod_client_cache).
std::string client_cache() {
  const char* env = std::getenv(DEBUGINFOD_CACHE_PATH_ENV_VAR);
  if (env != nullptr && *env != '\0') return env;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/debuginfod_client";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "~") + "/.cache/debuginfod_client";
}

std::string reason(int err, const std::string& id) {
  switch (err) {
    case ENOENT:
      return fmt::format("the servers have no debug info for it (the client remembers a miss for 10 minutes; rm -r "
                         "{}/{} to ask again sooner)",
                         client_cache(), id);
    case ETIME:
    case ETIMEDOUT: {
      const char* t = std::getenv(DEBUGINFOD_TIMEOUT_ENV_VAR);
      return fmt::format("timed out (DEBUGINFOD_TIMEOUT={} s a try)", t != nullptr && *t != '\0' ? t : "90");
    }
    case ECONNREFUSED:
      return "connection refused";
    case EHOSTUNREACH:
    case ENETUNREACH:
      return "server unreachable (host not found or no route)";
    case EFBIG:
      return "larger than DEBUGINFOD_MAXSIZE";
    default:
      return std::strerror(err);
  }
}


}  // namespace

std::optional<std::string> build_id_argument(std::string_view arg) {
  if (arg.substr(0, kBuildIdPrefix.size()) != kBuildIdPrefix) return std::nullopt;
  std::string hex(arg.substr(kBuildIdPrefix.size()));
  for (char& c : hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  bool ok = hex.size() >= 4 && hex.size() <= 128 && hex.size() % 2 == 0;
  for (char c : hex) ok = ok && is_hex(c);
  if (!ok)
    throw InputError("build-id " + std::string(arg.substr(kBuildIdPrefix.size())), "not a build-id: give its hex digits (4 to 128, whole bytes), as `readelf -n` "
                                       "or `file` prints them");
  return hex;
}

std::string build_id(Elf* elf) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) continue;
    GElf_Nhdr nh;
    size_t off = 0, name_off = 0, desc_off = 0;
    while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
      if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
          std::memcmp(static_cast<const char*>(data->d_buf) + name_off, "GNU", 4) != 0)
        continue;
      if (nh.n_descsz < 2 || nh.n_descsz > 64) return {};  // no usable build-id (ld writes 8 to 20 bytes)
      std::string s;
      const auto* p = static_cast<const uint8_t*>(data->d_buf) + desc_off;
      for (size_t i = 0; i < nh.n_descsz; ++i) s += fmt::format("{:02x}", p[i]);
      return s;
    }
  }
  return {};
}

std::string build_id_of(const std::string& path) {
  const ElfFile f(path);
  return f.elf != nullptr ? build_id(f.elf) : std::string();
}

std::string build_id_in_notes(std::string_view bytes) {
  const auto word = [&](size_t at, bool be) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const auto c = static_cast<uint8_t>(bytes[at + k]);
      v = be ? v << 8 | c : v | uint32_t{c} << (8 * k);
    }
    return v;
  };
  const auto up4 = [](uint64_t n) { return (n + 3) & ~uint64_t{3}; };
  for (const bool be : {false, true}) {
    std::string id;
    size_t at = 0;
    bool ok = !bytes.empty();
    while (ok && at < bytes.size()) {
      if (bytes.size() - at < 12) {
        ok = false;
        break;
      }
      const uint64_t namesz = word(at, be), descsz = word(at + 4, be), type = word(at + 8, be);
      const uint64_t name_at = at + 12, desc_at = name_at + up4(namesz), next = desc_at + up4(descsz);
      if (namesz > 256 || descsz > 4096 || next > bytes.size()) {
        ok = false;
        break;
      }
      if (type == NT_GNU_BUILD_ID && namesz == 4 && bytes.compare(name_at, 4, std::string_view("GNU\0", 4)) == 0 &&
          descsz >= 2 && descsz <= 64 && id.empty())
        for (size_t i = 0; i < descsz; ++i) id += fmt::format("{:02x}", static_cast<uint8_t>(bytes[desc_at + i]));
      at = next;
    }
    if (ok && !id.empty()) return id;
  }
  return {};
}

std::string debuginfod_urls() {
  const char* u = std::getenv(DEBUGINFOD_URLS_ENV_VAR);
  std::string s = u != nullptr ? u : "";
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::optional<std::string> find_debuginfo(const std::string& id, const std::string& subject) {
  if (id.size() > 2) {
    const std::string local =
        (std::filesystem::path("/usr/lib/debug/.build-id") / id.substr(0, 2) / (id.substr(2) + ".debug")).string();
    std::error_code ec;
    if (std::filesystem::is_regular_file(local, ec)) {
      const ElfFile f(local);
      if (f.elf != nullptr && build_id(f.elf) == id && has_debug_info(f.elf)) return local;
    }
  }
  const std::string urls = debuginfod_urls();
  if (urls.empty()) return std::nullopt;
  const Client& lib = client_library();
  if (!lib.ok)
    throw InputError(subject, fmt::format("DEBUGINFOD_URLS is set but {} cannot be loaded ({}); install libdebuginfod1 "
                                          "or unset DEBUGINFOD_URLS",
                                          DEBUGINFOD_SONAME, lib.error));
  std::unique_ptr<debuginfod_client, ClientDeleter> client(lib.begin());
  if (!client) throw InputError(subject, "cannot start the debuginfod client (out of memory?)");
  Progress progress(id);
  lib.set_user_data(client.get(), &progress);
  lib.set_progressfn(client.get(), &Progress::callback);
  char* got = nullptr;
  const int fd = lib.find_debuginfo(client.get(), reinterpret_cast<const unsigned char*>(id.c_str()), 0, &got);
  const std::string path = got != nullptr ? got : "";
  std::free(got);
  progress.finish(fd >= 0, path);
  const std::string of_id = subject.find(id) == std::string::npos ? " of build-id " + id : std::string();
  if (fd < 0)
    throw InputError(subject, fmt::format("debuginfod could not fetch the debug info{} from {}: {}; check "
                                          "DEBUGINFOD_URLS and the network, or install the debug package",
                                          of_id, urls, reason(-fd, id)));
  close(fd);
  const ElfFile f(path);
  const std::string served = f.elf != nullptr ? build_id(f.elf) : std::string();
  if (served != id)
    throw InputError(subject, fmt::format("debuginfod ({}) served {} for build-id {}, but that file's build-id is {}; "
                                          "remove it from the cache (DEBUGINFOD_CACHE_PATH) and check the server",
                                          urls, path, id, served.empty() ? "none" : served));
  if (!has_debug_info(f.elf))
    throw InputError(subject, fmt::format("debuginfod ({}) served {} for build-id {}, but it has no .debug_info (a "
                                          "stripped file); the servers have no debug info for it",
                                          urls, path, id));
  return path;
}

}  // namespace padguard::debuginfo
