// Refuses non-regular inputs before anything reads them (see regular_file.hpp).
#include "padguard/regular_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "padguard/error.hpp"

namespace padguard {

FileFd::~FileFd() {
  if (fd_ >= 0) close(fd_);
}

namespace {

// Empty when `mode` is a regular file, else why not and what to pass instead.
std::string not_regular(mode_t mode, const char* expected) {
  const std::string pass = std::string("; pass ") + expected;
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "is a directory" + pass;
  if (S_ISFIFO(mode))
    return "is a FIFO (named pipe); padguard reads regular files only: write the data to a file first";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a file" + pass;
  if (S_ISSOCK(mode)) return "is a socket, not a file" + pass;
  return "is not a regular file" + pass;
}

}  // namespace

FileFd open_regular_file(const std::string& path, const char* expected) {
  // stat first: opening a device can have effects (a tape rewinds); O_NONBLOCK
  // still guards against a FIFO swapped in between.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    throw InputError(path, std::string("cannot open: ") + std::strerror(errno) + "; check the path");
  if (std::string why = not_regular(st.st_mode, expected); !why.empty()) throw InputError(path, why);
  FileFd f(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (f.get() < 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  if (fstat(f.get(), &st) != 0) throw InputError(path, std::string("cannot stat: ") + std::strerror(errno));
  if (std::string why = not_regular(st.st_mode, expected); !why.empty()) throw InputError(path, why);
  return f;
}

std::string read_regular_file(const std::string& path, const char* expected) {
  const FileFd f = open_regular_file(path, expected);
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(f.get(), buf, sizeof buf);
    if (n == 0) return text;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path, std::string("cannot read: ") + std::strerror(errno));
    }
    text.append(buf, static_cast<size_t>(n));
  }
}

MemoryFile::MemoryFile(const std::string& owner) : owner_(owner), fd_(memfd_create("padguard", MFD_CLOEXEC)) {
  if (fd_.get() < 0) throw InputError(owner_, std::string("cannot make a memory file: ") + std::strerror(errno));
}

void MemoryFile::append(const void* data, size_t size) {
  const auto* p = static_cast<const char*>(data);
  for (size_t done = 0; done < size;) {
    const ssize_t w = write(fd_.get(), p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw InputError(owner_, std::string("cannot buffer it in memory: ") + std::strerror(errno));
    done += static_cast<size_t>(w);
  }
}

std::string MemoryFile::path() const { return "/proc/self/fd/" + std::to_string(fd_.get()); }

}  // namespace padguard
