// SPDX-License-Identifier: Apache-2.0
// Reading operator files for the loader: regular files only, bounded size, never blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslbd::config::detail {

// Larger YAML files are refused: they are hand-written, so this only stops mistakes such as
// naming a database dump. Imported master files are often machine-made and large (a
// 1,000,000-record zone is about 30 MiB), so they get a higher bound.
inline constexpr std::size_t kMaxFileSize = 16u << 20;
inline constexpr std::size_t kMaxImportSize = std::size_t{1} << 30;

// The whole content of a regular file, or nullopt with a reason ("No such file or directory").
// A file larger than max_size is refused by its size before any of it is read.
std::optional<std::string> read_text_file(const std::string& path, std::string& error,
                                          std::size_t max_size = kMaxFileSize);

// The first byte of text that no config or master file holds, as a 1-based line and column,
// with a message naming it: NUL and the other control characters but TAB, LF, CR and FF. Such a
// file is a binary file or one zeroed by a crash; reading it as text could drop what it held
// without a word. Returns nullopt for text.
struct BinaryByte {
  int line = 0;
  int column = 0;
  std::string message;
};
std::optional<BinaryByte> find_binary_byte(std::string_view text);

// Modification time in unix seconds, or nullopt with a reason.
std::optional<std::int64_t> modification_time(const std::string& path, std::string& error);

// Directory part of path for resolving relative names ("" when path has none).
std::string directory_of(const std::string& path);

// name resolved against directory (unchanged when name is absolute or directory is "").
std::string resolve_path(const std::string& directory, const std::string& name);

}  // namespace gslbd::config::detail
