// SPDX-License-Identifier: Apache-2.0
// Every key the config readers accept is documented: their key lists are the one list of keys,
// and this keeps docs/configuration.md from falling behind them.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/check_reader.hpp"
#include "config/geo_map_reader.hpp"
#include "config/main_file.hpp"
#include "config/member_reader.hpp"
#include "config/pool_file.hpp"
#include "config/zone_file.hpp"

namespace {

std::string configuration_doc() {
  std::ifstream in(std::string(GSLBD_TEST_DATA) + "/../../docs/configuration.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A key is documented where the reference shows it in YAML ("key:") or names it ("`key`").
void check_documented(const std::vector<std::string_view>& keys) {
  const std::string doc = configuration_doc();
  REQUIRE_FALSE(doc.empty());
  REQUIRE_FALSE(keys.empty());
  for (std::string_view key : keys) {
    INFO("key: ", key);
    const std::string name(key);
    CHECK((doc.find(name + ":") != std::string::npos ||
           doc.find("`" + name + "`") != std::string::npos));
  }
}

}  // namespace

using namespace gslbd::config::detail;

TEST_CASE("every key of the main file's sections is documented") {
  check_documented(main_file_key_names());
}

TEST_CASE("every key of a zone file is documented") {
  check_documented(zone_file_key_names());
}

TEST_CASE("every key of a pool file is documented") {
  check_documented(pool_key_names());
  check_documented(member_key_names());
  check_documented(check_key_names());
  check_documented(geo_map_key_names());
}
