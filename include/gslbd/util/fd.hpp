// SPDX-License-Identifier: Apache-2.0
// A file descriptor closed on every way out of the scope that opened it.
#pragma once

#include <unistd.h>

namespace gslbd::util {

// Owns one descriptor (or none, -1). Not copyable; release() hands it on, so a caller that
// must see close()'s own error (fsync then close of a file about to be renamed) can close it.
class Fd {
 public:
  Fd() noexcept = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace gslbd::util
