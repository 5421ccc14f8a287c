// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/source_error.hpp"

namespace gslbd::util {

std::string SourceError::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += ": ";
  out += message;
  return out;
}

}  // namespace gslbd::util
