// SPDX-License-Identifier: Apache-2.0
#include "resolver_reply.hpp"

#include <cstring>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"

namespace gslbd::probe {
namespace {

constexpr std::size_t kHeader = dns::kHeaderSize;
constexpr std::uint16_t kTypeCname = dns::type::CNAME;
constexpr std::uint16_t kTypeOpt = dns::type::OPT;
constexpr std::uint16_t kClassIn = dns::klass::IN;

std::uint16_t read16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t read32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

void write16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xff);
}

// A name in the message, decompressed.
struct Name {
  char wire[dns::kMaxNameWire];
  std::size_t size = 0;

  std::string_view view() const noexcept { return {wire, size}; }
};

// Reads the name at pos into out and moves pos past the name as written there.
bool read_name(std::span<const std::uint8_t> msg, std::size_t& pos, Name& out) noexcept {
  out.size = dns::decompress_name(msg.data(), msg.size(), pos, out.wire);
  return out.size != 0;
}

struct Record {
  Name owner;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata = 0;  // position of the rdata
  std::uint16_t rdlength = 0;
};

bool read_record(std::span<const std::uint8_t> msg, std::size_t& pos, Record& out) noexcept {
  std::size_t at = pos;
  if (!read_name(msg, at, out.owner)) return false;
  if (at + 10 > msg.size()) return false;
  out.type = read16(msg.data() + at);
  out.klass = read16(msg.data() + at + 2);
  out.ttl = read32(msg.data() + at + 4);
  // RFC 2181 section 8: a TTL with the top bit set is read as 0.
  if (out.ttl > 0x7fffffffu) out.ttl = 0;
  out.rdlength = read16(msg.data() + at + 8);
  out.rdata = at + 10;
  if (out.rdata + out.rdlength > msg.size()) return false;
  pos = out.rdata + out.rdlength;
  return true;
}

// Inserts the address into reply's ascending list unless it is there already or the list is
// full of lower ones (the highest then drops out).
void keep_lowest(Reply& reply, const std::uint8_t* address, std::size_t octets) noexcept {
  std::size_t at = 0;
  while (at < reply.count) {
    const int order = std::memcmp(reply.address[at].data(), address, octets);
    if (order == 0) return;
    if (order > 0) break;
    ++at;
  }
  if (at == kMaxReplyAddresses) return;
  const std::size_t last = reply.count < kMaxReplyAddresses ? reply.count : kMaxReplyAddresses - 1;
  for (std::size_t i = last; i > at; --i) reply.address[i] = reply.address[i - 1];
  reply.address[at] = {};
  std::memcpy(reply.address[at].data(), address, octets);
  if (reply.count < kMaxReplyAddresses) ++reply.count;
}

}  // namespace

std::size_t build_resolver_query(std::string_view name_wire, std::uint16_t type, std::uint16_t id,
                                 std::span<std::uint8_t> out) noexcept {
  std::size_t at = 0;
  const std::size_t name = dns::read_plain_name(
      reinterpret_cast<const std::uint8_t*>(name_wire.data()), name_wire.size(), at);
  if (name == 0 || name != name_wire.size()) return 0;
  const std::size_t size = kHeader + name + 4 + 11;
  if (out.size() < size) return 0;
  std::uint8_t* p = out.data();
  std::memset(p, 0, size);
  write16(p, id);
  p[2] = 0x01;         // RD
  write16(p + 4, 1);   // QDCOUNT
  write16(p + 10, 1);  // ARCOUNT: the OPT record
  std::memcpy(p + kHeader, name_wire.data(), name);
  std::uint8_t* q = p + kHeader + name;
  write16(q, type);
  write16(q + 2, kClassIn);
  // OPT: root owner, type 41, class = UDP payload size, TTL 0, no options.
  std::uint8_t* opt = q + 4;
  opt[0] = 0;
  write16(opt + 1, kTypeOpt);
  write16(opt + 3, kResolverUdpSize);
  return size;
}

Reply parse_resolver_reply(std::span<const std::uint8_t> msg, std::uint16_t id,
                           std::string_view name_wire, std::uint16_t type) noexcept {
  Reply reply;
  if (msg.size() < kHeader) {
    reply.status = ReplyStatus::not_ours;
    return reply;
  }
  const std::uint8_t* h = msg.data();
  const bool qr = (h[2] & 0x80) != 0;
  const unsigned opcode = (h[2] >> 3) & 0x0f;
  if (read16(h) != id || !qr || opcode != 0 || read16(h + 4) != 1) {
    reply.status = ReplyStatus::not_ours;
    return reply;
  }
  // The question must be the one asked (RFC 5452 section 9.1).
  Name asked;
  std::size_t pos = kHeader;
  if (!read_name(msg, pos, asked) || pos + 4 > msg.size()) {
    reply.status = ReplyStatus::not_ours;
    return reply;
  }
  if (!dns::same_name(asked.view(), name_wire) || read16(h + pos) != type ||
      read16(h + pos + 2) != kClassIn) {
    reply.status = ReplyStatus::not_ours;
    return reply;
  }
  pos += 4;
  reply.rcode = static_cast<std::uint8_t>(h[3] & 0x0f);
  if ((h[2] & 0x02) != 0) {
    reply.status = ReplyStatus::truncated;
    return reply;
  }
  if (reply.rcode == 3) {
    reply.status = ReplyStatus::nxdomain;
    return reply;
  }
  if (reply.rcode != 0) {
    reply.status = ReplyStatus::failed;
    return reply;
  }
  const std::uint16_t answers = read16(h + 6);
  const std::size_t first = pos;
  // Every answer record must be readable; a reply that is not is not believed at all.
  for (std::uint16_t i = 0; i < answers; ++i) {
    Record record;
    if (!read_record(msg, pos, record)) {
      reply.status = ReplyStatus::malformed;
      return reply;
    }
  }
  // Follow the CNAMEs from the name asked, in whatever order they stand.
  Name current;
  std::memcpy(current.wire, name_wire.data(), name_wire.size());
  current.size = name_wire.size();
  std::uint32_t ttl = 0xffffffffu;
  for (int hops = 0; hops <= kMaxReplyCnames; ++hops) {
    bool moved = false;
    pos = first;
    for (std::uint16_t i = 0; i < answers && !moved; ++i) {
      Record record;
      read_record(msg, pos, record);
      if (record.type != kTypeCname || record.klass != kClassIn ||
          !dns::same_name(record.owner.view(), current.view())) {
        continue;
      }
      Name target;
      std::size_t end = record.rdata;
      if (!read_name(msg, end, target) || end != record.rdata + record.rdlength) {
        reply.status = ReplyStatus::malformed;
        return reply;
      }
      current = target;
      if (record.ttl < ttl) ttl = record.ttl;
      moved = true;
    }
    if (!moved) break;
  }
  const std::size_t octets = type == kTypeA ? 4 : 16;
  pos = first;
  for (std::uint16_t i = 0; i < answers; ++i) {
    Record record;
    read_record(msg, pos, record);
    if (record.type != type || record.klass != kClassIn ||
        !dns::same_name(record.owner.view(), current.view())) {
      continue;
    }
    if (record.rdlength != octets) {
      // Nothing of a reply that is not believed is kept, not even the addresses before this.
      Reply malformed;
      malformed.status = ReplyStatus::malformed;
      malformed.rcode = reply.rcode;
      return malformed;
    }
    if (reply.records < 0xffff) ++reply.records;
    if (record.ttl < ttl) ttl = record.ttl;
    keep_lowest(reply, msg.data() + record.rdata, octets);
  }
  reply.status = reply.count > 0 ? ReplyStatus::addresses : ReplyStatus::nodata;
  reply.ttl = ttl == 0xffffffffu ? 0 : ttl;
  return reply;
}

const char* reply_status_text(ReplyStatus status) noexcept {
  switch (status) {
    case ReplyStatus::addresses:
      return "addresses";
    case ReplyStatus::nodata:
      return "no address of that type (NODATA)";
    case ReplyStatus::nxdomain:
      return "NXDOMAIN";
    case ReplyStatus::failed:
      return "the resolver failed";
    case ReplyStatus::truncated:
      return "truncated reply";
    case ReplyStatus::not_ours:
      return "not a reply to the query";
    case ReplyStatus::malformed:
      return "malformed reply";
  }
  return "unknown";
}

}  // namespace gslbd::probe
