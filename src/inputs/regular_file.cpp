// Refuses non-regular inputs before anything reads them (see regular_file.hpp).
#include "padguard/regular_file.hpp"

#include <fcntl.h>
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

const char* not_regular(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory; pass a vmlinux, .ko, .o or facts file";
  if (S_ISFIFO(mode))
    return "is a FIFO (named pipe); padguard reads regular files only: write the data to a file first";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a file; pass a vmlinux, .ko, .o or facts file";
  if (S_ISSOCK(mode)) return "is a socket, not a file; pass a vmlinux, .ko, .o or facts file";
  return S_ISREG(mode) ? nullptr : "is not a regular file; pass a vmlinux, .ko, .o or facts file";
}

}  // namespace

FileFd open_regular_file(const std::string& path) {
  // stat first: opening a device can have effects (a tape rewinds); O_NONBLOCK
  // still guards against a FIFO swapped in between.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  if (const char* why = not_regular(st.st_mode)) throw InputError(path, why);
  FileFd f(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (f.get() < 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  if (fstat(f.get(), &st) != 0) throw InputError(path, std::string("cannot stat: ") + std::strerror(errno));
  if (const char* why = not_regular(st.st_mode)) throw InputError(path, why);
  return f;
}

}  // namespace padguard
