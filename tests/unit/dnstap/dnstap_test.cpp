// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gslbd/dnstap/message.hpp"
#include "gslbd/dnstap/ring.hpp"

namespace {

using gslbd::dnstap::Event;
using gslbd::dnstap::MessageType;
using gslbd::dnstap::Ring;

// A protobuf reader for the test: field number -> raw values (varints as numbers, bytes and
// fixed32 as strings). Fails the test on anything malformed.
struct Fields {
  std::multimap<std::uint32_t, std::uint64_t> numbers;
  std::multimap<std::uint32_t, std::string> bytes;
};

std::uint64_t read_varint(const std::uint8_t*& p, const std::uint8_t* end) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    REQUIRE(p < end);
    const std::uint8_t byte = *p++;
    value |= std::uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
  FAIL("varint too long");
  return 0;
}

Fields parse(const std::uint8_t* p, std::size_t len) {
  Fields fields;
  const std::uint8_t* end = p + len;
  while (p < end) {
    const std::uint64_t tag = read_varint(p, end);
    const auto field = static_cast<std::uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0:
        fields.numbers.emplace(field, read_varint(p, end));
        break;
      case 2: {
        const std::uint64_t n = read_varint(p, end);
        REQUIRE(n <= static_cast<std::uint64_t>(end - p));
        fields.bytes.emplace(field, std::string(reinterpret_cast<const char*>(p), n));
        p += n;
        break;
      }
      case 5: {
        REQUIRE(end - p >= 4);
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= std::uint32_t{p[i]} << (8 * i);
        fields.numbers.emplace(field, v);
        p += 4;
        break;
      }
      default:
        FAIL("unexpected wire type");
    }
  }
  return fields;
}

Event sample_event() {
  Event event;
  event.tcp = 0;
  event.family = 4;
  event.client_port = 40000;
  event.server_port = 53;
  const std::uint8_t client[4] = {198, 18, 0, 7};
  const std::uint8_t server[4] = {198, 18, 0, 1};
  std::memcpy(event.client_address, client, 4);
  std::memcpy(event.server_address, server, 4);
  event.query_time_ns = 1'700'000'000'123'456'789ull;
  event.response_time_ns = 1'700'000'000'123'999'000ull;
  return event;
}

}  // namespace

TEST_CASE("an AUTH_QUERY message carries the query, its time and both ends") {
  Event event = sample_event();
  const std::uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  event.query_len = sizeof query;
  std::uint8_t out[512];
  const std::size_t len = gslbd::dnstap::encode(MessageType::auth_query, event, query, nullptr,
                                                "ns1", "gslbd 1", out, sizeof out);
  REQUIRE(len > 0);
  const Fields top = parse(out, len);
  CHECK(top.bytes.find(1)->second == "ns1");
  CHECK(top.bytes.find(2)->second == "gslbd 1");
  CHECK(top.numbers.find(15)->second == 1);  // Dnstap.type = MESSAGE
  const std::string& inner = top.bytes.find(14)->second;
  const Fields message = parse(reinterpret_cast<const std::uint8_t*>(inner.data()), inner.size());
  CHECK(message.numbers.find(1)->second == 1);  // AUTH_QUERY
  CHECK(message.numbers.find(2)->second == 1);  // INET
  CHECK(message.numbers.find(3)->second == 1);  // UDP
  CHECK(message.bytes.find(4)->second == std::string("\xc6\x12\x00\x07", 4));
  CHECK(message.bytes.find(5)->second == std::string("\xc6\x12\x00\x01", 4));
  CHECK(message.numbers.find(6)->second == 40000);
  CHECK(message.numbers.find(7)->second == 53);
  CHECK(message.numbers.find(8)->second == 1'700'000'000);
  CHECK(message.numbers.find(9)->second == 123'456'789);
  CHECK(message.bytes.find(10)->second ==
        std::string(reinterpret_cast<const char*>(query), sizeof query));
  CHECK(message.bytes.count(14) == 0);
  CHECK(message.numbers.count(12) == 0);
}

TEST_CASE("an AUTH_RESPONSE message carries the response and both times, over TCP and IPv6") {
  Event event = sample_event();
  event.tcp = 1;
  event.family = 6;
  std::memset(event.client_address, 0, 16);
  event.client_address[15] = 1;
  std::memset(event.server_address, 0, 16);  // unknown: omitted
  std::vector<std::uint8_t> response(3000, 0xab);
  event.response_len = static_cast<std::uint16_t>(response.size());
  std::vector<std::uint8_t> out(gslbd::dnstap::max_encoded_size(response.size(), 0, 0));
  const std::size_t len = gslbd::dnstap::encode(MessageType::auth_response, event, nullptr,
                                                response.data(), "", "", out.data(), out.size());
  REQUIRE(len > 0);
  const Fields top = parse(out.data(), len);
  CHECK(top.bytes.count(1) == 0);
  CHECK(top.bytes.count(2) == 0);
  const std::string& inner = top.bytes.find(14)->second;
  const Fields message = parse(reinterpret_cast<const std::uint8_t*>(inner.data()), inner.size());
  CHECK(message.numbers.find(1)->second == 2);  // AUTH_RESPONSE
  CHECK(message.numbers.find(2)->second == 2);  // INET6
  CHECK(message.numbers.find(3)->second == 2);  // TCP
  CHECK(message.bytes.find(4)->second.size() == 16);
  CHECK(message.bytes.count(5) == 0);
  CHECK(message.numbers.find(12)->second == 1'700'000'000);
  CHECK(message.numbers.find(13)->second == 123'999'000);
  CHECK(message.bytes.find(14)->second.size() == response.size());
  CHECK(message.bytes.count(10) == 0);
}

TEST_CASE("encode returns 0 when the message does not fit") {
  Event event = sample_event();
  const std::uint8_t query[64] = {};
  event.query_len = sizeof query;
  std::uint8_t out[128];
  for (std::size_t capacity = 0; capacity < 100; ++capacity) {
    CHECK(gslbd::dnstap::encode(MessageType::auth_query, event, query, nullptr, "id", "v", out,
                                capacity) == 0);
  }
}

TEST_CASE("the ring hands records over in order, across its end, and refuses when full") {
  Ring ring(1);  // rounded up to the minimum
  const std::size_t capacity = ring.capacity();
  REQUIRE(capacity >= 512 * 1024);
  std::vector<std::uint8_t> payload(20000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);

  std::uint16_t next_push = 0;
  std::uint16_t next_seen = 0;
  std::size_t refused = 0;
  // Many rounds of pushing until full, then draining part of it: the positions wrap many times.
  for (int round = 0; round < 50; ++round) {
    for (;;) {
      Event event = sample_event();
      event.client_port = next_push;
      event.query_len = static_cast<std::uint16_t>(100 + (next_push * 37) % 19000);
      event.response_len = static_cast<std::uint16_t>((next_push * 11) % 700);
      if (!ring.push(event, payload.data(), payload.data() + 1)) {
        ++refused;
        break;
      }
      ++next_push;
    }
    ring.drain(
        [&](const Event& event, const std::uint8_t* query, const std::uint8_t* response) {
          CHECK(event.client_port == next_seen);
          CHECK(event.query_len == 100 + (next_seen * 37) % 19000);
          CHECK(std::memcmp(query, payload.data(), event.query_len) == 0);
          CHECK(std::memcmp(response, payload.data() + 1, event.response_len) == 0);
          ++next_seen;
        },
        7);
  }
  ring.drain([&](const Event&, const std::uint8_t*, const std::uint8_t*) { ++next_seen; },
             1'000'000);
  CHECK(next_seen == next_push);
  CHECK(refused == 50);
  CHECK(next_push > 50 * 7);
}

TEST_CASE("a record with two 64 KiB messages always fits an empty ring") {
  Ring ring(0);
  std::vector<std::uint8_t> big(65535, 1);
  Event event = sample_event();
  event.query_len = 65535;
  event.response_len = 65535;
  CHECK(ring.push(event, big.data(), big.data()));
  std::size_t seen = 0;
  ring.drain([&](const Event& e, const std::uint8_t*,
                 const std::uint8_t*) { seen += e.query_len + e.response_len; },
             10);
  CHECK(seen == 2 * 65535);
}
