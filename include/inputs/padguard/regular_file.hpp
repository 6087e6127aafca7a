// Opening an input without blocking: a FIFO with no writer, a device or a
// directory is refused up front with a message naming the file (exit 2),
// before any reader opens it.
#pragma once

#include <cstddef>
#include <string>

namespace padguard {

// An open file descriptor that closes itself.
class FileFd {
 public:
  explicit FileFd(int fd) : fd_(fd) {}
  ~FileFd();
  FileFd(FileFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileFd(const FileFd&) = delete;
  FileFd& operator=(const FileFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

inline constexpr const char* kDebugInputs = "a vmlinux, .ko, .o or facts file";

// Opens `path` read-only (O_NONBLOCK, so a FIFO never blocks) and throws
// InputError unless it is a regular file; the message suggests `expected`.
FileFd open_regular_file(const std::string& path, const char* expected = kDebugInputs);

// The whole content of a regular file (policies, manifests, facts), refused
// up front like open_regular_file.
std::string read_regular_file(const std::string& path, const char* expected);

// An anonymous in-memory file (memfd) that readers taking a path open as
// /proc/self/fd/N: for stdin and for bytes libbpf can only parse from a file.
// append() writes all of `size` bytes or throws InputError naming `owner`.
class MemoryFile {
 public:
  explicit MemoryFile(const std::string& owner);
  void append(const void* data, size_t size);
  std::string path() const;

 private:
  std::string owner_;
  FileFd fd_;
};

}  // namespace padguard
