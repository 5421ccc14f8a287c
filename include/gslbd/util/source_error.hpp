// SPDX-License-Identifier: Apache-2.0
// An error tied to a place in an operator's file: "file:line:column: message".
#pragma once

#include <string>

namespace gslbd::util {

struct SourceError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error concerns the whole file
  int column = 0;  // 1-based; 0 when unknown
  std::string message;

  std::string to_string() const;
};

}  // namespace gslbd::util
