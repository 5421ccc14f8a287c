// SPDX-License-Identifier: Apache-2.0
#include "state_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gslbd/util/fd.hpp"

namespace gslbd::control {
namespace {

std::string why(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

ReadOutcome read_bounded(const std::string& path, std::size_t max_bytes, std::string& text,
                         std::string& error) {
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return ReadOutcome::missing;
    error = why("cannot open", path);
    return ReadOutcome::failed;
  }
  text.clear();
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = why("cannot read", path);
      return ReadOutcome::failed;
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      error = path + " is larger than " + std::to_string(max_bytes) + " octets";
      return ReadOutcome::failed;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return ReadOutcome::ok;
}

bool replace_file(const std::string& dir, const std::string& name, const std::string& text,
                  std::string& error) {
  const std::string path = dir + "/" + name;
  const std::string temp = path + ".tmp";
  util::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    error = why("cannot create", temp);
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = why("cannot write", temp);
      ::unlink(temp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    error = why("cannot fsync", temp);
    ::unlink(temp.c_str());
    return false;
  }
  if (::close(fd.release()) != 0) {
    error = why("cannot close", temp);
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    error = why("cannot rename " + temp + " to", path);
    ::unlink(temp.c_str());
    return false;
  }
  // The rename is durable only once the directory entry is.
  util::Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0 || ::fsync(d.get()) != 0) {
    error = why("cannot fsync directory", dir);
    return false;
  }
  return true;
}

}  // namespace gslbd::control
