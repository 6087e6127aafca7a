// Opening an input without blocking: a FIFO with no writer, a device or a
// directory is refused up front with a message naming the file (exit 2),
// before any reader opens it.
#pragma once

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

// Opens `path` read-only (O_NONBLOCK, so a FIFO never blocks) and throws
// InputError unless it is a regular file.
FileFd open_regular_file(const std::string& path);

}  // namespace padguard
