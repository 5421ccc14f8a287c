// SPDX-License-Identifier: Apache-2.0
// Helpers for the zone tests: wire names and rdata built by hand, and a minimal valid zone.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace gslbd::test {

inline std::string wire(const std::string& text) {
  auto name = dns::name_from_text(text, std::string(1, '\0'), nullptr);
  REQUIRE_MESSAGE(name.has_value(), "bad test name " << text);
  return *name;
}

inline std::vector<std::uint8_t> name_rdata(const std::string& text) {
  const std::string w = wire(text);
  return {w.begin(), w.end()};
}

inline std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

inline std::vector<std::uint8_t> a_rdata(std::uint8_t last) {
  return {192, 0, 2, last};
}

inline std::vector<std::uint8_t> aaaa_rdata(std::uint8_t last) {
  std::vector<std::uint8_t> out{0x20, 0x01, 0x0d, 0xb8};
  out.resize(15, 0);
  out.push_back(last);
  return out;
}

inline std::vector<std::uint8_t> mx_rdata(std::uint16_t preference, const std::string& target) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(preference >> 8),
                                static_cast<std::uint8_t>(preference & 0xff)};
  const auto name = name_rdata(target);
  out.insert(out.end(), name.begin(), name.end());
  return out;
}

inline std::vector<std::uint8_t> srv_rdata(std::uint16_t port, const std::string& target) {
  std::vector<std::uint8_t> out{
      0, 10, 0, 60, static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port & 0xff)};
  const auto name = name_rdata(target);
  out.insert(out.end(), name.begin(), name.end());
  return out;
}

// label + "." + apex, where apex is absolute text ("." for the root).
inline std::string child(const std::string& label, const std::string& apex) {
  return apex == "." ? label + "." : label + "." + apex;
}

inline std::vector<std::uint8_t> soa_rdata(const std::string& apex, std::uint32_t serial,
                                           std::uint32_t minimum) {
  std::vector<std::uint8_t> out = name_rdata(child("ns1", apex));
  const auto rname = name_rdata(child("hostmaster", apex));
  out.insert(out.end(), rname.begin(), rname.end());
  for (std::uint32_t v : {serial, 3600u, 900u, 604800u, minimum}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  return out;
}

// A builder for apex (text, absolute) with SOA (ttl 3600, minimum 300, serial 7) and apex NS
// ns1.<apex>, so that build() succeeds unless the test adds something wrong.
inline zone::ZoneBuilder valid_builder(const std::string& apex) {
  zone::ZoneBuilder builder(wire(apex));
  builder.set_soa(3600, soa_rdata(apex, 7, 300));
  builder.add_apex_ns(3600, name_rdata(child("ns1", apex)));
  return builder;
}

}  // namespace gslbd::test
