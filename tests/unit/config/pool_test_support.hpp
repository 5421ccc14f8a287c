// SPDX-License-Identifier: Apache-2.0
// Helpers for the pool-file tests: loading pool fixtures through the loader's detail API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/pool_file.hpp"
#include "config_test_support.hpp"

namespace gslbd::test {

struct PoolLoad {
  std::shared_ptr<pool::PoolSet> set;
  std::vector<std::string> names;
  std::vector<util::SourceError> errors;
};

// Loads the pool fixtures (paths relative to tests/data/config/) together, as one config would.
inline PoolLoad load_pool_fixtures(const std::vector<std::string>& relatives) {
  std::vector<config::detail::PoolFileText> files;
  for (const std::string& relative : relatives) {
    const std::string path = fixture(relative);
    files.push_back({path, read_file(path)});
  }
  PoolLoad out;
  out.set = config::detail::load_pool_files(files, out.names, out.errors);
  return out;
}

struct ExpectedError {
  int line;
  int column;
  std::string phrase;
};

// Loading the one pool fixture fails with exactly these errors (in any order), all in it.
inline void check_pool_errors(const std::string& relative,
                              const std::vector<ExpectedError>& expected) {
  const PoolLoad load = load_pool_fixtures({relative});
  INFO("errors:\n" << errors_text(load.errors));
  CHECK(load.set == nullptr);
  CHECK(load.errors.size() == expected.size());
  const std::string file = fixture(relative);
  for (const ExpectedError& e : expected) {
    CHECK_MESSAGE(has_error(load.errors, file, e.line, e.column, e.phrase),
                  "no error " << e.line << ":" << e.column << ": " << e.phrase);
  }
}

}  // namespace gslbd::test
