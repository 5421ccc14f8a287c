// SPDX-License-Identifier: Apache-2.0
// Every key the table-driven readers accept is documented: the key tables are the one list of keys,
// and this keeps docs/configuration.md from falling behind them.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/check_reader.hpp"
#include "config/main_file.hpp"
#include "config/member_reader.hpp"
#include "config/pool_file.hpp"

namespace {

std::string configuration_doc() {
  std::ifstream in(std::string(GSLBD_TEST_DATA) + "/../../docs/configuration.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A key is documented where the reference shows it in YAML ("key:") or names it ("`key`").
bool documented(const std::string& doc, std::string_view key) {
  const std::string name(key);
  return doc.find(name + ":") != std::string::npos ||
         doc.find("`" + name + "`") != std::string::npos;
}

}  // namespace

TEST_CASE("every key of the main file's table-read sections is in docs/configuration.md") {
  const std::string doc = configuration_doc();
  REQUIRE_FALSE(doc.empty());
  for (std::string_view key : gslbd::config::detail::main_file_key_names()) {
    INFO("key: ", key);
    CHECK(documented(doc, key));
  }
}

TEST_CASE("every key of a pool file is in docs/configuration.md") {
  const std::string doc = configuration_doc();
  REQUIRE_FALSE(doc.empty());
  using namespace gslbd::config::detail;
  for (const auto& keys : {pool_key_names(), member_key_names(), check_key_names()}) {
    REQUIRE_FALSE(keys.empty());
    for (std::string_view key : keys) {
      INFO("key: ", key);
      CHECK(documented(doc, key));
    }
  }
}
