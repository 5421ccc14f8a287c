// SPDX-License-Identifier: Apache-2.0
// What bounds a load: errors kept per load, YAML aliases, binary content, file sizes, RRsets a
// message cannot hold; and the warnings that do not stop a load.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "config/file_io.hpp"
#include "config_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using gslbd::test::errors_text;
using gslbd::test::has_error;

const std::string kHead =
    "version: 1\n"
    "zone: lb.example.org\n"
    "soa: {mname: ns1, rname: hostmaster.example.org., serial: 1}\n"
    "ns: [ns1]\n";

struct Loaded {
  std::unique_ptr<gslbd::zone::Zone> zone;
  std::vector<gslbd::util::SourceError> errors;
  std::vector<gslbd::util::SourceError> warnings;
};

Loaded load(const std::string& text) {
  Loaded out;
  out.zone = gslbd::config::load_zone_text("z.yaml", text, {}, out.errors, &out.warnings);
  return out;
}

// A scratch directory removed at the end of the test.
struct Scratch {
  fs::path dir;
  Scratch() {
    static int counter = 0;
    dir = fs::temp_directory_path() /
          ("gslbd-limits-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
};

// One anchored record with `values` TXT values, then `uses` aliases of it.
std::string alias_bomb(int values, int uses) {
  std::string text = kHead + "records:\n  - &r {name: big, type: TXT, data: [";
  for (int i = 0; i < values; ++i) text += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
  text += "]}\n";
  for (int i = 0; i < uses; ++i) text += "  - *r\n";
  return text;
}

}  // namespace

TEST_CASE("limits: an alias that multiplies the file is refused at the alias") {
  const std::string text = alias_bomb(1000, 2000);  // about 24 KB, 2 million values expanded
  const Loaded loaded = load(text);
  CHECK_FALSE(loaded.zone);
  INFO(errors_text(loaded.errors));
  REQUIRE(loaded.errors.size() == 1);
  const auto& error = loaded.errors[0];
  CHECK(error.file == "z.yaml");
  CHECK(error.line > 6);  // one of the aliases, not the anchor
  CHECK(error.column == 5);
  CHECK(error.message.find("alias") != std::string::npos);
}

TEST_CASE("limits: nested aliases (billion laughs) are refused without expanding them") {
  std::string text = kHead + "records:\n  - name: a\n    type: TXT\n    data: &l0 [x, x]\n";
  text += "x: &l1 [*l0, *l0]\n";
  for (int i = 2; i < 64; ++i) {
    text += "x" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) +
            ", *l" + std::to_string(i - 1) + "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Loaded loaded = load(text);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK_FALSE(loaded.zone);
  INFO(errors_text(loaded.errors));
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].line > 10);  // at an alias a few levels up, where the bound is crossed
  CHECK(loaded.errors[0].message.find("alias") != std::string::npos);
}

TEST_CASE("limits: aliases used as intended still load") {
  std::string text = kHead + "records:\n";
  text += "  - {name: a0, type: TXT, ttl: 60, data: &d [\"one\", \"two\", \"three\"]}\n";
  for (int i = 1; i < 200; ++i) {
    text += "  - {name: a" + std::to_string(i) + ", type: TXT, ttl: 60, data: *d}\n";
  }
  const Loaded loaded = load(text);
  INFO(errors_text(loaded.errors));
  CHECK(loaded.errors.empty());
  CHECK(loaded.zone);
}

TEST_CASE("limits: a load keeps 100 errors and counts the rest in one line") {
  std::string text = kHead + "records:\n";
  for (int i = 0; i < 500; ++i)
    text += "  - {name: a" + std::to_string(i) + ", type: A, data: [x]}\n";
  const Loaded loaded = load(text);
  CHECK_FALSE(loaded.zone);
  REQUIRE(loaded.errors.size() == 101);
  CHECK(loaded.errors[99].line == 5 + 100);
  CHECK(loaded.errors[100].message == "400 more errors not shown");
  CHECK(loaded.errors[100].to_string() == "z.yaml: 400 more errors not shown");
}

TEST_CASE("limits: the errors of all files of a load share the bound") {
  const Scratch scratch;
  std::string zone_files;
  for (int z = 0; z < 3; ++z) {
    std::string text = "version: 1\nzone: z" + std::to_string(z) +
                       ".test\nsoa: {mname: ns1, rname: h.z.test., serial: 1}\nns: [ns1]\n"
                       "records:\n";
    for (int i = 0; i < 60; ++i) {
      text += "  - {name: a" + std::to_string(i) + ", type: A, data: [x]}\n";
    }
    zone_files += (z ? ", " : "") + std::string("\"z") + std::to_string(z) + ".yaml\"";
    scratch.write("z" + std::to_string(z) + ".yaml", text);
  }
  const std::string main = scratch.write("gslbd.yaml", "version: 1\nzones: [" + zone_files + "]\n");
  const auto result = gslbd::config::load_config(main);
  CHECK_FALSE(result.config);
  REQUIRE(result.errors.size() == 101);
  CHECK(result.errors[100].message == "80 more errors not shown");
}

// ASan and TSan reserve terabytes of address space: an address-space limit stops them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST_CASE("limits: load_config turns running out of memory into a rejected config") {
  if (kSanitized) {
    MESSAGE("skipped: a sanitizer build cannot run under an address-space limit");
    return;
  }
  // A zone file that is fine but needs more memory than the process may have: in a child
  // limited to its current address space plus a little, loading it must give an error.
  const Scratch scratch;
  std::string text = kHead + "records:\n";
  for (int i = 0; i < 20000; ++i) {
    text += "  - {name: host" + std::to_string(i) + ", type: A, data: [192.0.2.1]}\n";
  }
  scratch.write("big.yaml", text);
  const std::string main = scratch.write("gslbd.yaml", "version: 1\nzones: [big.yaml]\n");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::ifstream status("/proc/self/statm");
    std::size_t pages = 0;
    status >> pages;
    const rlim_t limit = pages * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (16u << 20);
    const rlimit rl{limit, limit};
    if (::setrlimit(RLIMIT_AS, &rl) != 0) ::_exit(3);
    const auto result = gslbd::config::load_config(main);
    const bool ok = !result.config && result.errors.size() == 1 &&
                    result.errors[0].message.find("out of memory while loading") == 0 &&
                    result.errors[0].message.find("big.yaml") != std::string::npos;
    ::_exit(ok ? 0 : 4);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));  // a crash or abort fails here
  CHECK(WEXITSTATUS(status) == 0);
  // Without the limit the same config loads.
  const auto result = gslbd::config::load_config(main);
  INFO(errors_text(result.errors));
  CHECK(result.config);
}

TEST_CASE("limits: NUL bytes in a YAML file are an error at their place") {
  std::string text = kHead + "records:\n  - {name: a, type: A, data: [192.0.2.1]}\n";
  text += std::string("  - {name: b") + '\0' + "}\n";
  const Loaded loaded = load(text);
  CHECK_FALSE(loaded.zone);
  INFO(errors_text(loaded.errors));
  REQUIRE(loaded.errors.size() == 1);
  CHECK(has_error(loaded.errors, "z.yaml", 7, 13, "binary content: a NUL byte"));
  const Loaded zeroed = load(std::string(4096, '\0'));
  CHECK(has_error(zeroed.errors, "z.yaml", 1, 1, "binary content: a NUL byte"));
}

TEST_CASE("limits: an imported master file of NUL bytes is refused, not imported as empty") {
  const Scratch scratch;
  for (const std::size_t size : {std::size_t{1024}, std::size_t{1} << 20}) {
    scratch.write("zeroed.zone", std::string(size, '\0'));
    const std::string zone_file = scratch.write("z.yaml", kHead + "import: zeroed.zone\n");
    std::vector<gslbd::util::SourceError> errors;
    const auto zone =
        gslbd::config::load_zone_text(zone_file, kHead + "import: zeroed.zone\n", {}, errors);
    CHECK_FALSE(zone);
    INFO(errors_text(errors));
    REQUIRE(errors.size() == 1);
    CHECK(has_error(errors, (scratch.dir / "zeroed.zone").string(), 1, 1,
                    "binary content: a NUL byte"));
  }
  // A control character in the middle of a record, after good lines.
  scratch.write("ctl.zone", "www IN A 192.0.2.1\nftp IN A 192.0.2.2\x01\n");
  std::vector<gslbd::util::SourceError> errors;
  gslbd::config::load_zone_text((scratch.dir / "z.yaml").string(), kHead + "import: ctl.zone\n", {},
                                errors);
  CHECK(has_error(errors, (scratch.dir / "ctl.zone").string(), 2, 19,
                  "binary content: the control character 0x01"));
}

TEST_CASE("limits: a file over the size limit is refused by its size, before reading") {
  const Scratch scratch;
  const std::string path = (scratch.dir / "sparse.zone").string();
  { std::ofstream(path, std::ios::binary) << ""; }
  fs::resize_file(path, std::uintmax_t{2} << 30);  // sparse: no disk, but 2 GiB to read
  std::string why;
  const auto start = std::chrono::steady_clock::now();
  const auto text =
      gslbd::config::detail::read_text_file(path, why, gslbd::config::detail::kMaxImportSize);
  // Reading 2 GiB takes seconds and 2 GiB of memory; a refusal by size takes neither.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK_FALSE(text);
  CHECK(why == "the file has 2147483648 bytes, more than the limit of 1024 MiB");
}

TEST_CASE("limits: an RRset no message can hold is refused with owner, type and size") {
  std::string text = kHead + "records:\n  - name: big\n    type: TXT\n    data:\n";
  const std::string chunk(250, 'x');
  for (int i = 0; i < 280; ++i) text += "      - \"" + std::to_string(1000 + i) + chunk + "\"\n";
  const Loaded loaded = load(text);
  CHECK_FALSE(loaded.zone);
  INFO(errors_text(loaded.errors));
  REQUIRE(loaded.errors.size() == 1);
  // 12 + 20 + 4 (question) + 280 * (12 + 1 + 254) + 11 (OPT)
  CHECK(has_error(loaded.errors, "z.yaml", 2, 7,
                  "TXT RRset at big.lb.example.org. needs 74807 octets in the smallest answer, "
                  "more than the 65535 of a DNS message"));
}

TEST_CASE("limits: relative target names of several labels are warned about, not refused") {
  const std::string text =
      "version: 1\n"
      "zone: lb.example.org\n"
      "soa: {mname: ns1.example.net, rname: hostmaster.example.org, serial: 1}\n"
      "ns: [ns1, ns2.example.net]\n"
      "records:\n"
      "  - {name: ns1, type: A, data: [192.0.2.1]}\n"
      "  - {name: www, type: CNAME, data: [web.example.net]}\n"
      "  - {name: '@', type: MX, data: ['10 mail.example.net', '20 mx1', '30 mx.example.net.']}\n"
      "  - {name: _sip._tcp, type: SRV, data: ['0 5 5060 sip.example.net']}\n"
      "  - {name: sub, type: NS, data: ['ns.example.net.']}\n"
      "  - {name: a\\.b, type: CNAME, data: ['a\\.b']}\n";
  const Loaded loaded = load(text);
  INFO(errors_text(loaded.errors));
  CHECK(loaded.errors.empty());
  CHECK(loaded.zone);
  INFO(errors_text(loaded.warnings));
  CHECK(loaded.warnings.size() == 6);
  CHECK(has_error(loaded.warnings, "z.yaml", 3, 14,
                  "relative name of several labels 'ns1.example.net' becomes "
                  "'ns1.example.net.lb.example.org.'; add a final dot if you meant "
                  "ns1.example.net."));
  CHECK(has_error(loaded.warnings, "z.yaml", 3, 38,
                  "relative name of several labels 'hostmaster.example.org' becomes "
                  "'hostmaster.example.org.lb.example.org.'"));
  CHECK(has_error(loaded.warnings, "z.yaml", 4, 11, "'ns2.example.net'"));
  CHECK(has_error(loaded.warnings, "z.yaml", 7, 37, "'web.example.net'"));
  CHECK(has_error(loaded.warnings, "z.yaml", 8, 34, "'mail.example.net'"));
  CHECK(has_error(loaded.warnings, "z.yaml", 9, 41, "'sip.example.net'"));
}

TEST_CASE("limits: load_config returns the warnings of its zone files") {
  const Scratch scratch;
  scratch.write("z.yaml",
                "version: 1\nzone: lb.example.org\n"
                "soa: {mname: ns1, rname: hostmaster.example.org, serial: 1}\nns: [ns1]\n");
  const std::string main = scratch.write("gslbd.yaml", "version: 1\nzones: [z.yaml]\n");
  const auto result = gslbd::config::load_config(main);
  INFO(errors_text(result.errors));
  CHECK(result.config);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].message.find("'hostmaster.example.org'") != std::string::npos);
}

TEST_CASE("limits: an integer where a list belongs is called an integer") {
  const Loaded number = load(
      "version: 1\nzone: lb.example.org\n"
      "soa: {mname: ns1, rname: h.example.org., serial: 1}\nns: 5\n");
  CHECK(has_error(number.errors, "z.yaml", 4, 5, "'ns': expected a list, got an integer"));
  const Loaded quoted = load(
      "version: 1\nzone: lb.example.org\n"
      "soa: {mname: ns1, rname: h.example.org., serial: 1}\nns: '5'\n");
  CHECK(has_error(quoted.errors, "z.yaml", 4, 5, "'ns': expected a list, got a string"));
}
