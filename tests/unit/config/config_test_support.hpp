// SPDX-License-Identifier: Apache-2.0
// Helpers for the config tests: fixture paths, loading one zone fixture, matching errors.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gslbd/config/load.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/util/source_error.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::test {

inline std::string fixture(const std::string& relative) {
  return std::string(GSLBD_TEST_DATA) + "/config/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open fixture " << path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct ZoneLoad {
  std::unique_ptr<zone::Zone> zone;
  std::vector<util::SourceError> errors;
};

inline ZoneLoad load_zone_fixture(const std::string& relative,
                                  const std::vector<std::string>& pools = {}) {
  ZoneLoad out;
  const std::string path = fixture(relative);
  out.zone = config::load_zone_text(path, read_file(path), pools, out.errors);
  return out;
}

// All errors, one per line, for failure messages.
inline std::string errors_text(const std::vector<util::SourceError>& errors) {
  std::string out;
  for (const auto& error : errors) out += error.to_string() + "\n";
  return out;
}

// The config the main file at path loads to; the test stops here, showing the errors, when it
// does not load.
inline std::shared_ptr<const runtime::Config> load_good(const std::string& path) {
  const config::LoadResult result = config::load_config(path);
  INFO(errors_text(result.errors));
  REQUIRE(result.config);
  return result.config;
}

inline bool matches(const util::SourceError& error, const std::string& file, int line, int column,
                    const std::string& phrase) {
  return error.file == file && error.line == line && error.column == column &&
         error.message.find(phrase) != std::string::npos;
}

// True when errors holds one at file:line:column whose message contains phrase.
inline bool has_error(const std::vector<util::SourceError>& errors, const std::string& file,
                      int line, int column, const std::string& phrase) {
  for (const auto& error : errors) {
    if (matches(error, file, line, column, phrase)) return true;
  }
  return false;
}

// An error a test expects: at line:column of the main file, its message holding the phrase.
struct ErrorAt {
  int line;
  int column;
  std::string phrase;
};

// The main file at path does not load, and its errors include each of expected; returns them.
inline std::vector<util::SourceError> check_has_errors(const std::string& path,
                                                       std::initializer_list<ErrorAt> expected) {
  config::LoadResult result = config::load_config(path);
  INFO(errors_text(result.errors));
  CHECK(result.config == nullptr);
  for (const ErrorAt& error : expected) {
    CHECK_MESSAGE(has_error(result.errors, path, error.line, error.column, error.phrase),
                  "no error " << error.line << ":" << error.column << ": " << error.phrase);
  }
  return std::move(result.errors);
}

// The main file at path does not load, and its errors are expected, no more.
inline void check_errors(const std::string& path, std::initializer_list<ErrorAt> expected) {
  const std::vector<util::SourceError> errors = check_has_errors(path, expected);
  INFO(errors_text(errors));
  CHECK(errors.size() == expected.size());
}

// The load failed with exactly this one error.
inline void check_only_error(const ZoneLoad& load, const std::string& relative, int line,
                             int column, const std::string& phrase) {
  INFO("errors:\n" << errors_text(load.errors));
  CHECK(load.zone == nullptr);
  REQUIRE(load.errors.size() == 1);
  const auto& error = load.errors.front();
  CHECK(error.file == fixture(relative));
  CHECK(error.line == line);
  CHECK(error.column == column);
  CHECK_MESSAGE(error.message.find(phrase) != std::string::npos,
                "'" << error.message << "' lacks '" << phrase << "'");
}

inline std::string wire(const char* text) {
  return *dns::name_from_text(text, std::string(1, '\0'), nullptr);
}

inline std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

// The rdata of record `index` of set.
inline std::vector<std::uint8_t> rdata_of(const zone::RRset& set, std::size_t index) {
  std::size_t at = 0;
  for (std::size_t i = 0;; ++i) {
    REQUIRE(at + 2 <= set.records().size());
    const std::size_t len = (std::size_t{set.records()[at]} << 8) | set.records()[at + 1];
    if (i == index) {
      return std::vector<std::uint8_t>(set.records().begin() + static_cast<long>(at + 2),
                                       set.records().begin() + static_cast<long>(at + 2 + len));
    }
    at += 2 + len;
  }
}

// A main file in a fresh temp dir: "version: 1", then `head` (the section under test), then the
// good example zone. The dir (and whatever a test writes into it) goes with the object.
class TempMainFile {
 public:
  TempMainFile(const std::string& tag, const std::string& head)
      : dir(std::filesystem::temp_directory_path() /
            ("gslbd-" + tag + "-" + std::to_string(::getpid()))),
        path((dir / "main.yaml").string()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(path) << "version: 1\n"
                        << head << "zones: [\"" << fixture("good/zones/example.zone.yaml")
                        << "\"]\n";
  }
  ~TempMainFile() { std::filesystem::remove_all(dir); }
  TempMainFile(const TempMainFile&) = delete;
  TempMainFile& operator=(const TempMainFile&) = delete;

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }

  const std::filesystem::path dir;
  const std::string path;
};

}  // namespace gslbd::test
