// SPDX-License-Identifier: Apache-2.0
#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gslbd/util/fd.hpp"

namespace gslbd::config::detail {
namespace {

std::string size_error(std::uint64_t size, std::size_t max_size) {
  return "the file has " + std::to_string(size) + " bytes, more than the limit of " +
         std::to_string(max_size >> 20) + " MiB";
}

}  // namespace

std::optional<std::string> read_text_file(const std::string& path, std::string& error,
                                          std::size_t max_size) {
  if (path.find('\0') != std::string::npos) {
    error = "file name contains a NUL character";
    return std::nullopt;
  }
  struct stat info {};
  // stat first so that a FIFO or device is refused before open() could block or have effects.
  if (::stat(path.c_str(), &info) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "not a regular file";
    return std::nullopt;
  }
  const util::Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (file.get() < 0 || ::fstat(file.get(), &info) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    error = "not a regular file";
    return std::nullopt;
  }
  // By the size first: a 2 GiB sparse file is refused at once, not after reading it all.
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) > max_size) {
    error = size_error(static_cast<std::uint64_t>(info.st_size), max_size);
    return std::nullopt;
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      return std::nullopt;
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_size) {  // it grew while being read
      error = size_error(text.size(), max_size);
      return std::nullopt;
    }
  }
  return text;
}

std::optional<BinaryByte> find_binary_byte(std::string_view text) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20) continue;
    if (byte == '\n') {
      ++line;
      line_start = i + 1;
      continue;
    }
    if (byte == '\t' || byte == '\r' || byte == '\f') continue;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    return BinaryByte{line, static_cast<int>(i - line_start + 1),
                      std::string("binary content: ") +
                          (byte == 0 ? "a NUL byte" : "the control character " + std::string(hex)) +
                          "; expected a text file"};
  }
  return std::nullopt;
}

std::optional<std::int64_t> modification_time(const std::string& path, std::string& error) {
  struct stat info {};
  if (path.find('\0') != std::string::npos || ::stat(path.c_str(), &info) != 0) {
    error = path.find('\0') != std::string::npos ? "file name contains a NUL character"
                                                 : std::strerror(errno);
    return std::nullopt;
  }
  return static_cast<std::int64_t>(info.st_mtime);
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string resolve_path(const std::string& directory, const std::string& name) {
  if (directory.empty() || (!name.empty() && name.front() == '/')) return name;
  if (directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

}  // namespace gslbd::config::detail
