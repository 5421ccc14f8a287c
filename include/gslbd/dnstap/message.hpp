// SPDX-License-Identifier: Apache-2.0
// One dnstap record (a query, its response, or both) as an answering thread hands it to the
// writer, and its encoding as a dnstap protobuf message (AUTH_QUERY / AUTH_RESPONSE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gslbd::dnstap {

enum class MessageType : std::uint8_t { auth_query = 1, auth_response = 2 };

// The fixed part of a record; the DNS messages follow it in the ring. Trivially copyable.
struct Event {
  std::uint8_t tcp = 0;     // 0: UDP, 1: TCP
  std::uint8_t family = 0;  // 4 or 6 (an IPv4-mapped peer counts as 4)
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
  std::uint16_t query_len = 0;     // 0 when queries are not logged
  std::uint16_t response_len = 0;  // 0 when responses are not logged or none was sent
  std::uint8_t client_address[16] = {};
  std::uint8_t server_address[16] = {};  // all zero when unknown
  std::uint64_t query_time_ns = 0;       // wall clock (CLOCK_REALTIME)
  std::uint64_t response_time_ns = 0;
};

// Encodes one dnstap "Dnstap" protobuf message of the given type into out and returns its
// length, or 0 when it does not fit in capacity. identity and version go in the Dnstap fields
// of those names (omitted when empty). The fields follow the dnstap schema: the query message
// and query time for AUTH_QUERY; the response message and both times for AUTH_RESPONSE.
std::size_t encode(MessageType type, const Event& event, const std::uint8_t* query,
                   const std::uint8_t* response, std::string_view identity,
                   std::string_view version, std::uint8_t* out, std::size_t capacity) noexcept;

// The largest encoding of one message with DNS messages of at most message_len octets and the
// given identity and version: the buffer size a writer needs.
std::size_t max_encoded_size(std::size_t message_len, std::size_t identity_len,
                             std::size_t version_len) noexcept;

}  // namespace gslbd::dnstap
