// SPDX-License-Identifier: Apache-2.0
// Reading and replacing a small file whole: a bounded read, and an atomic replace (a temporary
// file in the same directory, written and fsynced, renamed over the file, then the directory
// fsynced), so that a crash at any point leaves either the old file or the new one. Blocking
// file I/O: callers keep it off the query path and off the health loop (the control thread).
#pragma once

#include <cstddef>
#include <string>

namespace gslbd::control {

enum class ReadOutcome { ok, missing, failed };

// Reads at most max_bytes; a longer file fails ("larger than N octets").
ReadOutcome read_bounded(const std::string& path, std::size_t max_bytes, std::string& text,
                         std::string& error);

// Replaces dir/name with text; false with a reason naming the step that failed.
bool replace_file(const std::string& dir, const std::string& name, const std::string& text,
                  std::string& error);

}  // namespace gslbd::control
