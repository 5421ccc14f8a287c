// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dnssec/key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gslbd/dns/name.hpp"
#include "private_key.hpp"

namespace gslbd::dnssec {
namespace {

constexpr std::uint16_t kZoneKeyFlag = 0x0100;  // RFC 4034 section 2.1.1
constexpr std::size_t kMaxKeyFile = 64 * 1024;

std::string algorithm_text(unsigned algorithm) {
  switch (algorithm) {
    case 5:
      return "5 (RSASHA1)";
    case 7:
      return "7 (RSASHA1-NSEC3-SHA1)";
    case 8:
      return "8 (RSASHA256)";
    case 10:
      return "10 (RSASHA512)";
    case 14:
      return "14 (ECDSAP384SHA384)";
    case 16:
      return "16 (ED448)";
    default:
      return std::to_string(algorithm);
  }
}

bool supported(unsigned algorithm) {
  return algorithm == algorithm::ECDSAP256SHA256 || algorithm == algorithm::ED25519;
}

std::string unsupported_reason(unsigned algorithm) {
  return "algorithm " + algorithm_text(algorithm) +
         " is not supported; gslbd signs with 13 (ECDSAP256SHA256) or 15 (ED25519)";
}

// Base64 without whitespace, as the private key files carry it; nullopt when malformed.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  const int length =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(length);
  if (text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

// An EC P-256 key from its private scalar, with the public point computed from it (OpenSSL's
// signing needs only the scalar, but the check against the .key file needs the point).
EVP_PKEY* p256_key(const std::vector<std::uint8_t>& scalar) {
  EVP_PKEY* pkey = nullptr;
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM* d = BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr);
  EC_POINT* point = group ? EC_POINT_new(group) : nullptr;
  std::uint8_t public_point[65];
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (group && d && point && build && context &&
      EC_POINT_mul(group, point, d, nullptr, nullptr, nullptr) == 1 &&
      EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, public_point,
                         sizeof public_point, nullptr) == sizeof public_point &&
      OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, public_point,
                                       sizeof public_point) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(build)) != nullptr &&
      EVP_PKEY_fromdata_init(context) == 1) {
    if (EVP_PKEY_fromdata(context, &pkey, EVP_PKEY_KEYPAIR, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  EC_POINT_free(point);
  BN_clear_free(d);
  EC_GROUP_free(group);
  return pkey;
}

// Reads a BIND private key file (Private-key-format v1.2 or v1.3: "Field: value" lines, of
// which Algorithm and PrivateKey matter here). Returns a new key, or nullptr with why set.
EVP_PKEY* read_private_file(const std::string& path, std::uint8_t algorithm,
                            const std::string& public_path, std::string& why) {
  std::ifstream in(path);
  if (!in) {
    why = "cannot read " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::string line;
  int number = 0;
  int algorithm_line = 0;
  int key_line = 0;
  std::optional<unsigned> file_algorithm;
  std::string key_text;
  std::size_t total = 0;
  while (std::getline(in, line) && total <= kMaxKeyFile) {
    ++number;
    total += line.size() + 1;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string field = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    if (field == "Algorithm") {
      algorithm_line = number;
      unsigned parsed = 0;
      std::istringstream(value) >> parsed;
      file_algorithm = parsed;
    } else if (field == "PrivateKey") {
      key_line = number;
      key_text = value;
    }
  }
  if (!file_algorithm) {
    why = path + ": no Algorithm line; not a private key file";
    return nullptr;
  }
  const std::string at_algorithm = path + ":" + std::to_string(algorithm_line);
  if (*file_algorithm != algorithm) {
    why = at_algorithm + ": algorithm " + std::to_string(*file_algorithm) +
          " differs from the algorithm " + std::to_string(algorithm) + " of " + public_path;
    return nullptr;
  }
  if (key_line == 0) {
    why = path + ": no PrivateKey line; not a private key file for algorithm " +
          std::to_string(algorithm);
    return nullptr;
  }
  const std::string at_key = path + ":" + std::to_string(key_line);
  auto bytes = base64_decode(key_text);
  // An ECDSA scalar is written as a number: ldns-keygen leaves out its leading zero octets.
  if (bytes && algorithm == algorithm::ECDSAP256SHA256 && !bytes->empty() && bytes->size() < 32) {
    bytes->insert(bytes->begin(), 32 - bytes->size(), 0);
  }
  if (!bytes || bytes->size() != 32) {
    why = at_key + ": PrivateKey is not the base64 of a 32-octet key";
    return nullptr;
  }
  EVP_PKEY* pkey =
      algorithm == algorithm::ED25519
          ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes->data(), bytes->size())
          : p256_key(*bytes);
  if (pkey == nullptr) why = at_key + ": OpenSSL does not take the private key";
  return pkey;
}

}  // namespace

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::csk:
      return "csk";
    case Role::ksk:
      return "ksk";
    case Role::zsk:
      return "zsk";
    case Role::publish:
      return "publish";
  }
  return "csk";
}

std::optional<Role> role_from_name(std::string_view name) noexcept {
  for (Role role : {Role::csk, Role::ksk, Role::zsk, Role::publish}) {
    if (role_name(role) == name) return role;
  }
  return std::nullopt;
}

std::uint16_t key_tag(std::span<const std::uint8_t> rdata) noexcept {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < rdata.size(); ++i) {
    sum += (i & 1) ? rdata[i] : static_cast<std::uint32_t>(rdata[i]) << 8;
  }
  sum += (sum >> 16) & 0xffff;
  return static_cast<std::uint16_t>(sum & 0xffff);
}

std::vector<std::uint8_t> ds_rdata(std::string_view owner_wire,
                                   std::span<const std::uint8_t> dnskey_rdata) {
  std::vector<std::uint8_t> input(owner_wire.begin(), owner_wire.end());
  dns::lowercase_name(reinterpret_cast<char*>(input.data()), input.size());
  input.insert(input.end(), dnskey_rdata.begin(), dnskey_rdata.end());
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  const std::uint16_t tag = key_tag(dnskey_rdata);
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(tag >> 8),
                                static_cast<std::uint8_t>(tag & 0xff),
                                dnskey_rdata.size() > 3 ? dnskey_rdata[3] : std::uint8_t{0}, 2};
  out.insert(out.end(), digest, digest + length);
  return out;
}

std::string ds_text(std::span<const std::uint8_t> ds) {
  if (ds.size() < 4) return {};
  std::string out = std::to_string((ds[0] << 8) | ds[1]) + " " + std::to_string(ds[2]) + " " +
                    std::to_string(ds[3]) + " ";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 4; i < ds.size(); ++i) {
    out += kHex[ds[i] >> 4];
    out += kHex[ds[i] & 0xf];
  }
  return out;
}

std::string dnskey_text(std::span<const std::uint8_t> rdata) {
  if (rdata.size() < 4) return {};
  std::string out = std::to_string((rdata[0] << 8) | rdata[1]) + " " + std::to_string(rdata[2]) +
                    " " + std::to_string(rdata[3]) + " ";
  std::string base64(4 * ((rdata.size() - 4 + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()),
                                     rdata.data() + 4, static_cast<int>(rdata.size() - 4));
  base64.resize(static_cast<std::size_t>(length < 0 ? 0 : length));
  return out + base64;
}

std::optional<Key> key_from_dnskey(const std::string& base, const std::string& where, Role role,
                                   std::vector<std::uint8_t> dnskey_rdata, std::string& why) {
  Key key;
  key.role = role;
  key.path = base;
  key.dnskey_rdata = std::move(dnskey_rdata);
  const std::string public_path = base + ".key";
  const std::string private_path = base + ".private";
  if (key.dnskey_rdata.size() < 5) {
    why = where + ": the DNSKEY has no public key";
    return std::nullopt;
  }
  key.flags = static_cast<std::uint16_t>((key.dnskey_rdata[0] << 8) | key.dnskey_rdata[1]);
  key.algorithm = key.dnskey_rdata[3];
  if (key.dnskey_rdata[2] != 3) {
    why = where + ": protocol " + std::to_string(key.dnskey_rdata[2]) +
          ", expected 3 (RFC 4034 section 2.1.2)";
    return std::nullopt;
  }
  if ((key.flags & kZoneKeyFlag) == 0) {
    why = where + ": flags " + std::to_string(key.flags) +
          " lack the zone key bit; expected 256 (ZSK) or 257 (KSK, CSK)";
    return std::nullopt;
  }
  if (!supported(key.algorithm)) {
    why = where + ": " + unsupported_reason(key.algorithm);
    return std::nullopt;
  }
  key.tag = key_tag(key.dnskey_rdata);

  std::string private_why;
  EVP_PKEY* pkey = read_private_file(private_path, key.algorithm, public_path, private_why);
  if (pkey == nullptr) {
    why = private_why;
    return std::nullopt;
  }
  auto private_key = std::make_shared<PrivateKey>(pkey, key.algorithm);
  std::uint8_t derived[64];
  const std::size_t derived_size = private_key->public_key(derived, sizeof derived);
  const std::span<const std::uint8_t> published(key.dnskey_rdata.data() + 4,
                                                key.dnskey_rdata.size() - 4);
  if (derived_size == 0 || derived_size != published.size() ||
      std::memcmp(derived, published.data(), derived_size) != 0) {
    why = private_path + ": the private key does not belong to the public key in " + public_path +
          " (key tag " + std::to_string(key.tag) + ")";
    return std::nullopt;
  }
  key.private_key = std::move(private_key);
  return key;
}

}  // namespace gslbd::dnssec
