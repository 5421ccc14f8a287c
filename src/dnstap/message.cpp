// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnstap/message.hpp"

#include <cstring>

namespace gslbd::dnstap {
namespace {

// Field numbers and enum values of the dnstap schema (dnstap.proto).
constexpr std::uint32_t kDnstapIdentity = 1;
constexpr std::uint32_t kDnstapVersion = 2;
constexpr std::uint32_t kDnstapMessage = 14;
constexpr std::uint32_t kDnstapType = 15;
constexpr std::uint64_t kDnstapTypeMessage = 1;

constexpr std::uint32_t kMessageType = 1;
constexpr std::uint32_t kSocketFamily = 2;
constexpr std::uint32_t kSocketProtocol = 3;
constexpr std::uint32_t kQueryAddress = 4;
constexpr std::uint32_t kResponseAddress = 5;
constexpr std::uint32_t kQueryPort = 6;
constexpr std::uint32_t kResponsePort = 7;
constexpr std::uint32_t kQueryTimeSec = 8;
constexpr std::uint32_t kQueryTimeNsec = 9;
constexpr std::uint32_t kQueryMessage = 10;
constexpr std::uint32_t kResponseTimeSec = 12;
constexpr std::uint32_t kResponseTimeNsec = 13;
constexpr std::uint32_t kResponseMessage = 14;

constexpr std::uint64_t kFamilyInet = 1;
constexpr std::uint64_t kFamilyInet6 = 2;
constexpr std::uint64_t kProtocolUdp = 1;
constexpr std::uint64_t kProtocolTcp = 2;

constexpr std::uint32_t kWireVarint = 0;
constexpr std::uint32_t kWireBytes = 2;
constexpr std::uint32_t kWireFixed32 = 5;

// The inner Message is written after a length slot of this many octets, enough for any
// message this encoder produces (< 2^21 octets), then the slot is filled with a padded varint.
constexpr std::size_t kLengthSlot = 3;

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

// A bounded protobuf writer: every put checks the room left; once something did not fit, the
// writer stays failed and the caller gets 0.
class ProtoWriter {
 public:
  ProtoWriter(std::uint8_t* out, std::size_t capacity) : out_(out), capacity_(capacity) {}

  void varint(std::uint64_t value) noexcept {
    do {
      const auto byte = static_cast<std::uint8_t>(value & 0x7f);
      value >>= 7;
      put(value != 0 ? static_cast<std::uint8_t>(byte | 0x80) : byte);
    } while (value != 0);
  }
  void tag(std::uint32_t field, std::uint32_t wire) noexcept { varint((field << 3) | wire); }
  void field_varint(std::uint32_t field, std::uint64_t value) noexcept {
    tag(field, kWireVarint);
    varint(value);
  }
  void field_fixed32(std::uint32_t field, std::uint32_t value) noexcept {
    tag(field, kWireFixed32);
    for (int i = 0; i < 4; ++i) put(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void field_bytes(std::uint32_t field, const void* data, std::size_t len) noexcept {
    tag(field, kWireBytes);
    varint(len);
    if (!room(len)) return;
    if (len != 0) std::memcpy(out_ + len_, data, len);
    len_ += len;
  }
  // Starts a length-delimited field whose length is known only at its end.
  std::size_t open(std::uint32_t field) noexcept {
    tag(field, kWireBytes);
    const std::size_t at = len_;
    if (room(kLengthSlot)) len_ += kLengthSlot;
    return at;
  }
  void close(std::size_t at) noexcept {
    if (failed_) return;
    std::size_t value = len_ - at - kLengthSlot;
    for (std::size_t i = 0; i < kLengthSlot; ++i) {
      const auto byte = static_cast<std::uint8_t>(value & 0x7f);
      value >>= 7;
      out_[at + i] = i + 1 < kLengthSlot ? static_cast<std::uint8_t>(byte | 0x80) : byte;
    }
    if (value != 0) failed_ = true;
  }
  std::size_t size() const noexcept { return failed_ ? 0 : len_; }

 private:
  bool room(std::size_t n) noexcept {
    if (failed_ || capacity_ - len_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  void put(std::uint8_t byte) noexcept {
    if (room(1)) out_[len_++] = byte;
  }

  std::uint8_t* out_;
  std::size_t capacity_;
  std::size_t len_ = 0;
  bool failed_ = false;
};

void put_time(ProtoWriter& writer, std::uint32_t sec_field, std::uint32_t nsec_field,
              std::uint64_t ns) noexcept {
  writer.field_varint(sec_field, ns / kNsPerSecond);
  writer.field_fixed32(nsec_field, static_cast<std::uint32_t>(ns % kNsPerSecond));
}

}  // namespace

std::size_t encode(MessageType type, const Event& event, const std::uint8_t* query,
                   const std::uint8_t* response, std::string_view identity,
                   std::string_view version, std::uint8_t* out, std::size_t capacity) noexcept {
  ProtoWriter writer(out, capacity);
  if (!identity.empty()) writer.field_bytes(kDnstapIdentity, identity.data(), identity.size());
  if (!version.empty()) writer.field_bytes(kDnstapVersion, version.data(), version.size());
  const std::size_t message = writer.open(kDnstapMessage);
  writer.field_varint(kMessageType, static_cast<std::uint64_t>(type));
  writer.field_varint(kSocketFamily, event.family == 6 ? kFamilyInet6 : kFamilyInet);
  writer.field_varint(kSocketProtocol, event.tcp != 0 ? kProtocolTcp : kProtocolUdp);
  const std::size_t address_len = event.family == 6 ? 16 : 4;
  writer.field_bytes(kQueryAddress, event.client_address, address_len);
  static constexpr std::uint8_t kNoAddress[16] = {};
  if (std::memcmp(event.server_address, kNoAddress, address_len) != 0) {
    writer.field_bytes(kResponseAddress, event.server_address, address_len);
  }
  writer.field_varint(kQueryPort, event.client_port);
  if (event.server_port != 0) writer.field_varint(kResponsePort, event.server_port);
  put_time(writer, kQueryTimeSec, kQueryTimeNsec, event.query_time_ns);
  if (type == MessageType::auth_query) {
    writer.field_bytes(kQueryMessage, query, event.query_len);
  } else {
    put_time(writer, kResponseTimeSec, kResponseTimeNsec, event.response_time_ns);
    writer.field_bytes(kResponseMessage, response, event.response_len);
  }
  writer.close(message);
  writer.field_varint(kDnstapType, kDnstapTypeMessage);
  return writer.size();
}

std::size_t max_encoded_size(std::size_t message_len, std::size_t identity_len,
                             std::size_t version_len) noexcept {
  // Per field at most a 2-octet tag and a 10-octet varint; the rest is the payloads.
  constexpr std::size_t kPerField = 12;
  constexpr std::size_t kFields = 16;
  return kFields * kPerField + 2 * 16 + identity_len + version_len + message_len;
}

}  // namespace gslbd::dnstap
