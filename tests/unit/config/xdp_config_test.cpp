// SPDX-License-Identifier: Apache-2.0
// xdp: the AF_XDP fast path's section: defaults, what is read, and errors at their place.
#include <doctest/doctest.h>

#include <string>

#include "config_test_support.hpp"

namespace {

using gslbd::test::check_has_errors;
using gslbd::test::fixture;
using gslbd::test::load_good;

// A main file with the given xdp: lines (line 2 is "xdp:", so the first of them is line 3).
struct MainFile : gslbd::test::TempMainFile {
  MainFile(const std::string& tag, const std::string& xdp_lines)
      : TempMainFile("xdp-" + tag, "xdp:\n" + xdp_lines) {}
};

}  // namespace

TEST_CASE("xdp: off unless configured") {
  const auto config = load_good(fixture("good/minimal.yaml"));
  CHECK_FALSE(config->server.xdp.enabled());
}

TEST_CASE("xdp: interfaces, queues, port, addresses, mode and zero copy are read") {
  const MainFile main("good",
                      "  interfaces:\n"
                      "    - name: veth0\n"
                      "    - name: eth1\n"
                      "      queues: [0, 3]\n"
                      "  port: 5353\n"
                      "  addresses: [198.18.0.1, \"fd00::1\"]\n"
                      "  mode: native\n"
                      "  zero_copy: true\n");
  const auto config = load_good(main.path);
  const auto& xdp = config->server.xdp;
  REQUIRE(xdp.interfaces.size() == 2);
  CHECK(xdp.interfaces[0].name == "veth0");
  CHECK(xdp.interfaces[0].queues == std::vector<std::uint32_t>{0});
  CHECK(xdp.interfaces[1].name == "eth1");
  CHECK(xdp.interfaces[1].queues == std::vector<std::uint32_t>{0, 3});
  CHECK(xdp.port == 5353);
  REQUIRE(xdp.addresses.size() == 2);
  CHECK(xdp.addresses[0] == *gslbd::util::parse_address("198.18.0.1"));
  CHECK(xdp.addresses[1] == *gslbd::util::parse_address("fd00::1"));
  CHECK(xdp.mode == gslbd::runtime::XdpMode::native);
  CHECK(xdp.zero_copy);

  const MainFile defaults("defaults", "  interfaces: [{name: lo}]\n  addresses: [127.0.0.1]\n");
  const auto default_config = load_good(defaults.path);
  CHECK(default_config->server.xdp.port == 53);
  CHECK(default_config->server.xdp.mode == gslbd::runtime::XdpMode::automatic);
  CHECK_FALSE(default_config->server.xdp.zero_copy);
  CHECK_FALSE(default_config->server.xdp.required);
  CHECK(default_config->server.xdp.frames == 2048);
  CHECK(default_config->server.xdp.rx_ring_size == 2048);
  CHECK(default_config->server.xdp.tx_ring_size == 2048);
}

TEST_CASE("xdp: required, frames and ring sizes are read, the rings follow fewer frames") {
  const MainFile main("umem",
                      "  interfaces: [{name: veth0}]\n"
                      "  addresses: [198.18.0.1]\n"
                      "  required: true\n"
                      "  frames: 8192\n"
                      "  rx_ring_size: 512\n"
                      "  tx_ring_size: 8192\n");
  const auto config = load_good(main.path);
  const auto& xdp = config->server.xdp;
  CHECK(xdp.required);
  CHECK(xdp.frames == 8192);
  CHECK(xdp.rx_ring_size == 512);
  CHECK(xdp.tx_ring_size == 8192);

  const MainFile few("few-frames",
                     "  interfaces: [{name: veth0}]\n  addresses: [198.18.0.1]\n  frames: 256\n");
  const auto few_config = load_good(few.path);
  CHECK(few_config->server.xdp.frames == 256);
  CHECK(few_config->server.xdp.rx_ring_size == 256);
  CHECK(few_config->server.xdp.tx_ring_size == 256);
}

TEST_CASE("xdp: frames and ring sizes out of bounds are reported at their place") {
  const MainFile main("umem-bad",
                      "  interfaces: [{name: veth0}]\n"
                      "  addresses: [198.18.0.1]\n"
                      "  frames: 1000\n"
                      "  rx_ring_size: 32\n"
                      "  tx_ring_size: 131072\n"
                      "  required: maybe\n");
  check_has_errors(
      main.path,
      {{5, 11, "'frames': 1000 is not a power of two, expected one of 64, 128, ... 65536"},
       {6, 17, "'rx_ring_size': expected a number (64..65536)"},
       {7, 17, "'tx_ring_size': expected a number (64..65536)"},
       {8, 13, "'required': expected true or false"}});

  const MainFile ring("ring-bad",
                      "  interfaces: [{name: veth0}]\n"
                      "  addresses: [198.18.0.1]\n"
                      "  frames: 512\n"
                      "  rx_ring_size: 1024\n");
  check_has_errors(ring.path,
                   {{6, 17, "'rx_ring_size': 1024 entries, expected at most 'frames' (512)"}});
}

TEST_CASE("xdp: at most 64 queues in all") {
  std::string queues;
  for (int i = 0; i < 40; ++i) queues += (i == 0 ? "" : ", ") + std::to_string(i);
  const MainFile main("queues",
                      "  interfaces:\n"
                      "    - {name: veth0, queues: [" +
                          queues +
                          "]}\n"
                          "    - {name: veth1, queues: [" +
                          queues +
                          "]}\n"
                          "  addresses: [198.18.0.1]\n");
  check_has_errors(main.path, {{5, 116, "item 25 of 'queues': more than 64 queues in all"}});
}

TEST_CASE("xdp: schema errors are reported at their place") {
  const MainFile main("bad",
                      "  interfaces:\n"
                      "    - name: veth0\n"
                      "      queues: [0, 0]\n"
                      "    - name: veth0\n"
                      "    - name: \"a/b\"\n"
                      "    - nmae: x\n"
                      "  port: 0\n"
                      "  addresses: [198.18.0.1, 198.18.0.1, nowhere]\n"
                      "  mode: nativ\n"
                      "  zero_copy: yes\n");
  check_has_errors(main.path, {{5, 19, "queue 0 is listed twice"},
                               {6, 13, "interface 'veth0' is listed twice"},
                               {7, 13, "'name': expected an interface name"},
                               {8, 7, "unknown key 'nmae'"},
                               {9, 9, "'port': expected a number (1..65535)"},
                               {10, 27, "'198.18.0.1' is listed twice"},
                               {10, 39, "expected an IPv4 or IPv6 address"},
                               {11, 9, "'mode': unknown value 'nativ'; did you mean 'native'?"},
                               {12, 14, "'zero_copy': expected true or false"}});

  const MainFile missing("missing", "  port: 53\n");
  check_has_errors(missing.path, {{3, 3, "interfaces"}, {3, 3, "addresses"}});
}
