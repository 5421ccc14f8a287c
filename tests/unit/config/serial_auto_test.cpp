// SPDX-License-Identifier: Apache-2.0
// serial: auto is the newest modification time of the zone file and its import.
#include <doctest/doctest.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

namespace {

namespace fs = std::filesystem;

// A scratch directory with a zone file and its import, removed at the end of the test.
struct ScratchZone {
  fs::path dir;
  std::string zone_file;
  std::string import_file;
  std::string text;

  explicit ScratchZone(bool with_import) {
    dir = fs::temp_directory_path() /
          ("gslbd-serial-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(dir);
    zone_file = (dir / "auto.zone.yaml").string();
    import_file = (dir / "auto.zone").string();
    text =
        "version: 1\nzone: auto.test\nsoa: {mname: ns1, rname: admin.auto.test., serial: auto}\n"
        "ns: [ns1]\n";
    if (with_import) text += "import: auto.zone\n";
    std::ofstream(zone_file) << text;
    std::ofstream(import_file) << "www IN A 192.0.2.1\n";
  }
  ~ScratchZone() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  static void set_mtime(const std::string& path, long seconds) {
    utimbuf times{seconds, seconds};
    REQUIRE(::utime(path.c_str(), &times) == 0);
  }
  std::unique_ptr<gslbd::zone::Zone> load(std::vector<gslbd::util::SourceError>& errors) const {
    return gslbd::config::load_zone_text(zone_file, text, {}, errors);
  }
};

}  // namespace

TEST_CASE("serial auto: the zone file's mtime") {
  ScratchZone scratch(false);
  ScratchZone::set_mtime(scratch.zone_file, 1700000000);
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = scratch.load(errors);
  INFO(gslbd::test::errors_text(errors));
  REQUIRE(zone);
  CHECK(zone->serial() == 1700000000u);
}

TEST_CASE("serial auto: the newer of the zone file and its import") {
  ScratchZone scratch(true);
  ScratchZone::set_mtime(scratch.zone_file, 1700000000);
  ScratchZone::set_mtime(scratch.import_file, 1700000500);
  std::vector<gslbd::util::SourceError> errors;
  auto zone = scratch.load(errors);
  REQUIRE(zone);
  CHECK(zone->serial() == 1700000500u);

  ScratchZone::set_mtime(scratch.zone_file, 1800000000);
  zone = scratch.load(errors);
  REQUIRE(zone);
  CHECK(zone->serial() == 1800000000u);
}

TEST_CASE("serial auto: an mtime beyond 32 bits wraps like the serial arithmetic of RFC 1982") {
  ScratchZone scratch(false);
  ScratchZone::set_mtime(scratch.zone_file, 4294967296L + 42);
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = scratch.load(errors);
  REQUIRE(zone);
  CHECK(zone->serial() == 42u);
}

TEST_CASE("serial auto: a zone file that does not exist has no mtime") {
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = gslbd::config::load_zone_text(
      "/nonexistent/auto.zone.yaml",
      "version: 1\nzone: auto.test\nsoa:\n  mname: ns1\n  rname: admin.auto.test.\n"
      "  serial: auto\nns: [ns1]\n",
      {}, errors);
  CHECK(zone == nullptr);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 6);
  CHECK(errors[0].column == 11);
  CHECK(errors[0].message.find("'serial': auto needs the modification time of "
                               "/nonexistent/auto.zone.yaml") != std::string::npos);
}

TEST_CASE("serial: a number is taken as given, and absent means auto") {
  std::vector<gslbd::util::SourceError> errors;
  const auto zone = gslbd::config::load_zone_text(
      "/nonexistent/n.zone.yaml",
      "version: 1\nzone: n.test\nsoa: {mname: ns1, rname: admin.n.test., serial: 4294967295}\n"
      "ns: [ns1]\n",
      {}, errors);
  REQUIRE(zone);
  CHECK(zone->serial() == 4294967295u);
  const auto absent = gslbd::config::load_zone_text(
      "/nonexistent/n.zone.yaml",
      "version: 1\nzone: n.test\nsoa: {mname: ns1, rname: admin.n.test.}\nns: [ns1]\n", {}, errors);
  CHECK(absent == nullptr);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("auto needs the modification time") != std::string::npos);
}
