// Reading operator files for the loader: regular files only, bounded size, never blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gslbd::config::detail {

// Larger YAML files are refused: they are hand-written, so this only stops mistakes such as
// naming a database dump. Imported master files are often machine-made and large (a
// 1,000,000-record zone is about 30 MiB), so they get a higher bound.
inline constexpr std::size_t kMaxFileSize = 16u << 20;
inline constexpr std::size_t kMaxImportSize = std::size_t{1} << 30;

// The whole content of a regular file, or nullopt with a reason ("No such file or directory").
std::optional<std::string> read_text_file(const std::string& path, std::string& error,
                                          std::size_t max_size = kMaxFileSize);

// Modification time in unix seconds, or nullopt with a reason.
std::optional<std::int64_t> modification_time(const std::string& path, std::string& error);

// Directory part of path for resolving relative names ("" when path has none).
std::string directory_of(const std::string& path);

// name resolved against directory (unchanged when name is absolute or directory is "").
std::string resolve_path(const std::string& directory, const std::string& name);

}  // namespace gslbd::config::detail
