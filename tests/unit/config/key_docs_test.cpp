// SPDX-License-Identifier: Apache-2.0
// Every key the config readers accept is documented: their key lists are the one list of keys,
// and this keeps docs/configuration.md from falling behind them.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
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
void check_documented_in(std::string_view doc, const std::vector<std::string_view>& keys) {
  REQUIRE_FALSE(doc.empty());
  REQUIRE_FALSE(keys.empty());
  for (std::string_view key : keys) {
    INFO("key: ", key);
    const std::string name(key);
    CHECK((doc.find(name + ":") != std::string_view::npos ||
           doc.find("`" + name + "`") != std::string_view::npos));
  }
}

void check_documented(const std::vector<std::string_view>& keys) {
  const std::string doc = configuration_doc();
  check_documented_in(doc, keys);
}

// The level of a Markdown heading line ("### x" is 3), 0 for any other line.
std::size_t heading_level(std::string_view line) {
  const std::size_t hashes = line.find_first_not_of('#');
  return hashes != std::string_view::npos && hashes > 0 && line[hashes] == ' ' ? hashes : 0;
}

// The part of doc under heading (a whole line such as "## Zone files"), up to the next heading
// of the same or a higher level outside code blocks; empty when the heading is missing.
std::string_view part_of(std::string_view doc, std::string_view heading) {
  const std::size_t level = heading_level(heading);
  REQUIRE(level > 0);
  std::size_t start = std::string_view::npos;
  bool code = false;
  for (std::size_t at = 0; at < doc.size();) {
    const std::size_t next = std::min(doc.find('\n', at), doc.size());
    const std::string_view line = doc.substr(at, next - at);
    if (line.starts_with("```")) {
      code = !code;
    } else if (!code && start == std::string_view::npos && line == heading) {
      start = at;
    } else if (!code && start != std::string_view::npos && heading_level(line) > 0 &&
               heading_level(line) <= level) {
      return doc.substr(start, at - start);
    }
    at = next + 1;
  }
  return start == std::string_view::npos ? std::string_view() : doc.substr(start);
}

}  // namespace

using namespace gslbd::config::detail;

TEST_CASE("every key of the main file's sections is documented") {
  check_documented(main_file_key_names());
}

TEST_CASE("every key of a zone file is documented") {
  check_documented(zone_file_key_names());
}

TEST_CASE("every key of each zone file section is documented in that section's part") {
  const std::string doc = configuration_doc();
  const std::string_view zone_files = part_of(doc, "## Zone files");
  // Where the reference shows each section: the top level, soa and records in the example at
  // the head of the chapter, services and dnssec (with its keys) under their own headings.
  const std::vector<std::pair<std::string_view, std::string_view>> parts = {
      {"", zone_files},
      {"soa", zone_files},
      {"records", zone_files},
      {"services", part_of(zone_files, "### services:")},
      {"dnssec", part_of(zone_files, "### dnssec:")},
      {"dnssec keys", part_of(zone_files, "### dnssec:")}};
  const std::vector<ZoneFileSection> sections = zone_file_sections();
  REQUIRE(sections.size() == parts.size());
  for (std::size_t i = 0; i < sections.size(); ++i) {
    INFO("section: '", sections[i].name, "'");
    REQUIRE(sections[i].name == parts[i].first);
    check_documented_in(parts[i].second, sections[i].keys);
  }
  // Each part ends at the next heading of its level: the zone chapter before the pool chapter,
  // services: before dnssec:.
  CHECK(zone_files.find("## Pool files") == std::string_view::npos);
  CHECK(part_of(zone_files, "### services:").find("### dnssec:") == std::string_view::npos);
}

TEST_CASE("every key of a pool file is documented") {
  check_documented(pool_key_names());
  check_documented(member_key_names());
  check_documented(check_key_names());
  check_documented(geo_map_key_names());
}
