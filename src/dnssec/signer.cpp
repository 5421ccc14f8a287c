// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/signer.hpp"

#include <algorithm>
#include <cstring>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "private_key.hpp"

namespace gslbd::dnssec {
namespace {

// Wire length of the uncompressed name at rdata[at..end), or 0 when it is malformed.
std::size_t name_length(const std::uint8_t* rdata, std::size_t at, std::size_t end) noexcept {
  std::size_t pos = at;
  while (pos < end) {
    const std::uint8_t label = rdata[pos];
    if (label == 0) return pos + 1 - at;
    if (label > 63) return 0;
    pos += 1 + label;
  }
  return 0;
}

void lower(std::uint8_t* p, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<std::uint8_t>(p[i] + 32);
  }
}

// Lower-cases, in place, the names inside rdata of the types RFC 4034 section 6.2 (as amended by
// RFC 6840 section 5.1) lists: first the offset of the first name, then how many names follow
// one another.
void canonicalise(std::uint16_t type, std::uint8_t* rdata, std::size_t length) noexcept {
  std::size_t at = 0;
  int names = 0;
  switch (type) {
    case dns::type::NS:
    case dns::type::CNAME:
    case dns::type::PTR:
    case dns::type::DNAME:
    case 3:  // MD
    case 4:  // MF
    case 7:  // MB
    case 8:  // MG
    case 9:  // MR
      names = 1;
      break;
    case dns::type::SOA:
    case 14:  // MINFO
    case 17:  // RP
      names = 2;
      break;
    case dns::type::MX:
    case 18:  // AFSDB
    case 21:  // RT
    case 36:  // KX
      at = 2;
      names = 1;
      break;
    case 26:  // PX
      at = 2;
      names = 2;
      break;
    case dns::type::SRV:
      at = 6;
      names = 1;
      break;
    default:
      return;
  }
  for (int i = 0; i < names; ++i) {
    const std::size_t n = name_length(rdata, at, length);
    if (n == 0) return;
    lower(rdata + at, n);
    at += n;
  }
}

void put16(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// The RRSIG rdata before the signature; returns its length.
std::size_t rrsig_head(const Key& key, std::string_view signer, const RRsetView& rrset,
                       Validity validity, std::uint8_t* out) noexcept {
  put16(out, rrset.type);
  out[2] = key.algorithm;
  out[3] = rrsig_labels(rrset.owner);
  put32(out + 4, rrset.ttl);
  put32(out + 8, validity.expiration);
  put32(out + 12, validity.inception);
  put16(out + 16, key.tag);
  std::memcpy(out + 18, signer.data(), signer.size());
  return 18 + signer.size();
}

}  // namespace

std::uint8_t rrsig_labels(std::string_view owner) noexcept {
  std::size_t count = dns::label_count(owner);
  if (owner.size() >= 2 && owner[0] == 1 && owner[1] == '*' && count > 0) --count;
  return static_cast<std::uint8_t>(count);
}

std::size_t signed_data_size(const RRsetView& rrset, std::string_view signer) noexcept {
  // Each record: owner, type, class, TTL, then rdlength and rdata as stored; and room for a
  // second copy of the rdata while the records are put in canonical order.
  return 18 + signer.size() + rrset.count * (rrset.owner.size() + 8) + 2 * rrset.records.size();
}

std::size_t sign_rrset(const Key& key, std::string_view signer, const RRsetView& rrset,
                       Validity validity, SignBuffers buffers, std::uint8_t* out) noexcept {
  if (!key.private_key || signer.size() > dns::kMaxNameWire ||
      rrset.owner.size() > dns::kMaxNameWire || rrset.count > buffers.order.size() ||
      signed_data_size(rrset, signer) > buffers.data.size()) {
    return 0;
  }
  std::uint8_t* data = buffers.data.data();
  const std::size_t head = rrsig_head(key, signer, rrset, validity, data);

  // The records' rdata, canonical, in the data buffer after the head for now: sorted, then
  // moved into place behind their owner, type, class and TTL. Sorting offsets keeps the work
  // in the caller's buffers.
  const std::size_t fixed = rrset.owner.size() + 8;
  const std::size_t staging = head + rrset.count * fixed;
  const std::uint8_t* in = rrset.records.data();
  std::size_t at = 0;
  for (std::uint16_t i = 0; i < rrset.count; ++i) {
    if (at + 2 > rrset.records.size()) return 0;
    const std::size_t length = (std::size_t{in[at]} << 8) | in[at + 1];
    if (at + 2 + length > rrset.records.size()) return 0;
    std::memcpy(data + staging + at, in + at, 2 + length);
    canonicalise(rrset.type, data + staging + at + 2, length);
    buffers.order[i] = static_cast<std::uint32_t>(staging + at);
    at += 2 + length;
  }
  std::uint32_t* order = buffers.order.data();
  // RFC 4034 section 6.3: by rdata as a left-justified octet sequence, shorter first on a tie.
  std::sort(order, order + rrset.count, [data](std::uint32_t a, std::uint32_t b) {
    const std::size_t la = (std::size_t{data[a]} << 8) | data[a + 1];
    const std::size_t lb = (std::size_t{data[b]} << 8) | data[b + 1];
    const int c = std::memcmp(data + a + 2, data + b + 2, std::min(la, lb));
    return c != 0 ? c < 0 : la < lb;
  });
  std::uint8_t prefix[dns::kMaxNameWire + 8];
  std::memcpy(prefix, rrset.owner.data(), rrset.owner.size());
  put16(prefix + rrset.owner.size(), rrset.type);
  put16(prefix + rrset.owner.size() + 2, dns::klass::IN);
  put32(prefix + rrset.owner.size() + 4, rrset.ttl);
  // The staged rdata moves past the end of the signed data first, so that writing the records
  // in sorted order never overwrites rdata still to be copied.
  const std::size_t total = rrset.records.size();
  const std::size_t end = head + rrset.count * fixed + total;
  std::memcpy(data + end, data + staging, total);
  std::size_t write = head;
  for (std::uint16_t i = 0; i < rrset.count; ++i) {
    const std::size_t from = end + (order[i] - staging);
    const std::size_t length = 2 + ((std::size_t{data[from]} << 8) | data[from + 1]);
    std::memcpy(data + write, prefix, fixed);
    std::memcpy(data + write + fixed, data + from, length);
    write += fixed + length;
  }
  const std::size_t rdata_head = rrsig_head(key, signer, rrset, validity, out);
  const std::size_t signature = key.private_key->sign({data, write}, out + rdata_head);
  if (signature == 0) return 0;
  return rdata_head + signature;
}

}  // namespace gslbd::dnssec
