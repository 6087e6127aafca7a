// What the fuzz targets share: one temporary file per process, rewritten for
// every input, for the readers that take a path (as the CLI gives them).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace padguard::fuzz {

class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/padguard-fuzz-XXXXXX";
    fd_ = mkstemp(path_.data());
    if (fd_ < 0) {
      std::perror("padguard fuzz: mkstemp");
      std::abort();
    }
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  void write_all(const uint8_t* data, size_t size) {
    if (ftruncate(fd_, 0) != 0) std::abort();
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// The process's file holding `data`; never destroyed (libFuzzer exits via
// _exit), unlinked at exit.
inline const std::string& input_file(const uint8_t* data, size_t size) {
  static TempFile* file = new TempFile();
  static const bool cleanup = [] {
    std::atexit([] { unlink(file->path().c_str()); });
    return true;
  }();
  (void)cleanup;
  file->write_all(data, size);
  return file->path();
}

}  // namespace padguard::fuzz
