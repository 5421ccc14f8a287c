// SPDX-License-Identifier: Apache-2.0
// The peers: section: instances and their URLs, the token file, the poll timings and their
// relations (timeout below the interval, stale_after at least the interval), each error at its
// place.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::test::check_errors;
using gslbd::test::check_has_errors;
using gslbd::test::load_good;

// A main file with the given peers: lines (after "peers:") and a private token file.
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& peers_lines,
           const std::string& before = "control:\n  listen: 127.0.0.1:9253\n")
      : TempMainFile("peers-" + tag, before + "peers:\n" + peers_lines) {
    write("peer.token", "fleet-token-0123456789\n");
    ::chmod((dir / "peer.token").c_str(), 0600);
  }
};

const std::string kTwo =
    "  token_file: peer.token\n"
    "  instances:\n"
    "    - name: ns2\n"
    "      url: http://127.0.0.2:9253\n"
    "    - name: ns3\n"
    "      url: http://[::1]:9254/\n";

}  // namespace

TEST_CASE("peers: absent means no peers, present gives instances, token and defaults") {
  {
    gslbd::test::TempMainFile none("peers-none", "");
    const auto config = load_good(none.path);
    CHECK_FALSE(config->peers.enabled());
  }
  MainFile main("defaults", kTwo);
  const auto config = load_good(main.path);
  const auto& peers = config->peers;
  REQUIRE(peers.instances.size() == 2);
  CHECK(peers.instances[0].name == "ns2");
  CHECK(peers.instances[0].host == "127.0.0.2");
  CHECK(peers.instances[0].port == 9253);
  CHECK(peers.instances[1].host == "::1");
  CHECK(peers.instances[1].port == 9254);
  CHECK(peers.instances[1].url == "http://[::1]:9254/");
  CHECK(peers.token == "fleet-token-0123456789");
  CHECK(peers.interval_ms == 1000);
  CHECK(peers.timeout_ms == 500);
  CHECK(peers.stale_after_ms == 3000);
  CHECK(peers.max_reply_bytes == 4u * 1024 * 1024);
  CHECK(config->server.control.warnings.empty());
}

TEST_CASE("peers: timings, and stale_after follows a given interval") {
  MainFile main("timings", kTwo + "  interval: 2s\n  timeout: 300ms\n  max_reply_bytes: 65536\n");
  const auto config = load_good(main.path);
  CHECK(config->peers.interval_ms == 2000);
  CHECK(config->peers.timeout_ms == 300);
  CHECK(config->peers.stale_after_ms == 6000);
  CHECK(config->peers.max_reply_bytes == 65536);
  MainFile stale("stale", kTwo + "  stale_after: 10s\n");
  const auto second = load_good(stale.path);
  CHECK(second->peers.stale_after_ms == 10000);
}

TEST_CASE("peers: bad URLs, names and duplicates are errors at their place") {
  MainFile main("urls",
                "  token_file: peer.token\n"
                "  instances:\n"
                "    - name: ns2\n"
                "      url: https://127.0.0.2:9253\n"  // line 8
                "    - name: ns3\n"
                "      url: http://127.0.0.3\n"  // line 10
                "    - name: ns4\n"
                "      url: http://127.0.0.4:9253/status\n"  // line 12
                "    - name: \"bad name\"\n"                 // line 13
                "      url: http://127.0.0.5:9253\n"
                "    - name: ns5\n"
                "      url: http://127.0.0.1:9253\n"  // line 16: own endpoint
                "    - name: ns6\n"
                "      url: http://a.example:80\n"
                "    - name: ns6\n"  // line 19: twice
                "      url: http://b.example:80\n"
                "    - name: ns7\n"
                "      url: http://A.example:80\n"  // line 22: same as ns6
                "    - name: ns8\n"
                "      url: http://[127.0.0.1]:80\n"  // line 24
                "    - name: ns9\n"
                "      url: http://127.0.0.9:0\n"     // line 26
                "    - url: http://127.0.0.10:1\n");  // line 27: no name
  check_errors(main.path, {{8, 12, "'url': expected http://host:port (peers are"},
                           {10, 12, "the port is required"},
                           {12, 12, "expected a port 1 to 65535"},
                           {13, 13, "'name': expected 1 to 63 letters"},
                           {16, 12, "this instance's own control endpoint"},
                           {19, 13, "peer 'ns6' is listed twice"},
                           {22, 12, "is also peer 'ns6'"},
                           {24, 12, "'127.0.0.1' is not an IPv6 address"},
                           {26, 12, "expected a port 1 to 65535"},
                           {27, 7, "name"}});
}

TEST_CASE("peers: timings that cannot work and a missing token are errors") {
  MainFile main("bad-timings",
                "  instances:\n"
                "    - name: ns2\n"
                "      url: http://127.0.0.2:9253\n"
                "  interval: 1s\n"
                "  timeout: 1s\n"            // line 10
                "  stale_after: 500ms\n"     // line 11
                "  max_reply_bytes: 10\n");  // line 12
  check_errors(main.path, {{5, 3, "'token_file'"},
                           {9, 12, "'timeout': 1000ms is not below the interval"},
                           {10, 16, "'stale_after': 500ms is below the interval"},
                           {11, 20, "max_reply_bytes"}});
}

TEST_CASE("peers: needs the control endpoint, and a readable token file warns") {
  MainFile off("control-off", kTwo, "control:\n  enabled: false\n");
  check_has_errors(off.path, {{5, 3, "needs the control endpoint"}});

  MainFile open("open-token", kTwo);
  ::chmod((open.dir / "peer.token").c_str(), 0644);
  const auto loaded = load_good(open.path);
  const auto& warnings = loaded->server.control.warnings;
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].rfind(open.path + ":5:15: warning: 'token_file': ", 0) == 0);
}
