// SPDX-License-Identifier: Apache-2.0
// DNSSEC keys as gslbd uses them: a DNSKEY (the public half, as the zone publishes it) with its
// private key (from BIND-format K<zone>+<alg>+<tag>.private files, as ldns-keygen and
// dnssec-keygen write them), and the digests that go to the parent (DS, RFC 4034 section 5).
// Reading is control-plane only and allocates; a Key is immutable once read and may be used
// from any thread (signing only reads the private key).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gslbd::dnssec {

namespace algorithm {
inline constexpr std::uint8_t ECDSAP256SHA256 = 13;  // RFC 6605
inline constexpr std::uint8_t ED25519 = 15;          // RFC 8080
}  // namespace algorithm

// What a key does in its zone. A CSK signs everything; a KSK signs the apex DNSKEY, CDS and
// CDNSKEY sets; a ZSK signs the rest; a published key is in the DNSKEY set only (pre-published
// for a rollover, or kept after one while signatures made with it may still be cached).
enum class Role : std::uint8_t { csk, ksk, zsk, publish };

std::string_view role_name(Role role) noexcept;
std::optional<Role> role_from_name(std::string_view name) noexcept;

// The private half; opaque here so that only the dnssec module sees OpenSSL.
class PrivateKey;

struct Key {
  Role role = Role::csk;
  std::uint8_t algorithm = 0;
  std::uint16_t flags = 0;                 // 256 (zone key), 257 with SEP
  std::uint16_t tag = 0;                   // RFC 4034 appendix B
  std::vector<std::uint8_t> dnskey_rdata;  // flags, protocol 3, algorithm, public key
  std::shared_ptr<const PrivateKey> private_key;
  std::string path;  // the file name without .key / .private, for messages

  bool signs_keys() const noexcept { return role == Role::csk || role == Role::ksk; }
  bool signs_zone() const noexcept { return role == Role::csk || role == Role::zsk; }
};

// The key whose public half is dnskey_rdata, as read from base.key (where: "file:line" of the
// record there), with its private half read from base.private. Reading the .key file is the
// loader's (keyfile::read_key), so that what answers queries never links a zone file parser.
// On failure returns nullopt and sets why to one line naming the file, its line where known,
// and what is wrong: a protocol other than 3, no zone key flag, an algorithm other than 13 or
// 15, a missing or unreadable private file, a private key that does not belong to the public
// one.
std::optional<Key> key_from_dnskey(const std::string& base, const std::string& where, Role role,
                                   std::vector<std::uint8_t> dnskey_rdata, std::string& why);

// RFC 4034 appendix B.
std::uint16_t key_tag(std::span<const std::uint8_t> dnskey_rdata) noexcept;

// DS rdata (key tag, algorithm, digest type 2 = SHA-256, digest) for a DNSKEY of the zone
// owner_wire.
std::vector<std::uint8_t> ds_rdata(std::string_view owner_wire,
                                   std::span<const std::uint8_t> dnskey_rdata);

// Presentation text of DS and DNSKEY rdata ("12345 13 2 ABCD..."), for --check-config.
std::string ds_text(std::span<const std::uint8_t> ds_rdata);
std::string dnskey_text(std::span<const std::uint8_t> dnskey_rdata);

}  // namespace gslbd::dnssec
