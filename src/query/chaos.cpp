// SPDX-License-Identifier: Apache-2.0
#include "chaos.hpp"

#include <cstring>

namespace gslbd::query {
namespace {

constexpr std::string_view kIdServer{"\x02id\x06server\x00", 11};
constexpr std::string_view kHostnameBind{
    "\x08hostname\x04"
    "bind\x00",
    15};

}  // namespace

void answer_chaos(const dns::Query& query, std::string_view identity,
                  dns::ResponseWriter& writer) noexcept {
  const std::string_view name{query.qname_lower, query.qname_len};
  if (name != kIdServer && name != kHostnameBind) {
    writer.set_rcode(dns::rcode::REFUSED);
    return;
  }
  writer.set_flag(dns::flag::AA, true);
  if (query.qtype != dns::type::TXT && query.qtype != dns::type::ANY) return;  // NODATA
  // One TXT record holding one character-string: rdlength, string length, the identity.
  std::uint8_t record[2 + 1 + 255];
  const std::size_t len = identity.size() < 255 ? identity.size() : 255;
  record[0] = 0;
  record[1] = static_cast<std::uint8_t>(len + 1);
  record[2] = static_cast<std::uint8_t>(len);
  std::memcpy(record + 3, identity.data(), len);
  const std::string_view owner{reinterpret_cast<const char*>(query.qname), query.qname_len};
  if (!writer.rrset(dns::Section::answer, owner, dns::type::TXT, dns::klass::CH, 0, record, len + 3,
                    1)) {
    writer.set_flag(dns::flag::TC, true);
  }
}

}  // namespace gslbd::query
