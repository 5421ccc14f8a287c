// SPDX-License-Identifier: Apache-2.0
#include "private_key.hpp"

#include <openssl/core_names.h>

#include <cstring>

namespace gslbd::dnssec {
namespace {

// One INTEGER of a DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }), written as 32
// octets big endian. Parsed by hand: d2i_ECDSA_SIG would allocate.
bool der_integer(const std::uint8_t*& at, const std::uint8_t* end, std::uint8_t* out) noexcept {
  if (end - at < 2 || at[0] != 0x02) return false;
  std::size_t length = at[1];
  at += 2;
  if (length > static_cast<std::size_t>(end - at) || length == 0) return false;
  while (length > 32 && *at == 0) {
    ++at;
    --length;
  }
  if (length > 32) return false;
  std::memset(out, 0, 32 - length);
  std::memcpy(out + (32 - length), at, length);
  at += length;
  return true;
}

}  // namespace

PrivateKey::~PrivateKey() {
  EVP_PKEY_free(pkey_);
}

std::size_t PrivateKey::sign(std::span<const std::uint8_t> data, std::uint8_t* out) const noexcept {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr) return 0;
  const bool ecdsa = algorithm_ == algorithm::ECDSAP256SHA256;
  std::size_t written = kMaxSignature;  // in: the room for Ed25519's output
  // An ECDSA P-256 signature in DER is at most 72 octets.
  std::uint8_t der[80];
  std::size_t der_length = sizeof der;
  if (EVP_DigestSignInit(context, nullptr, ecdsa ? EVP_sha256() : nullptr, nullptr, pkey_) == 1 &&
      EVP_DigestSign(context, ecdsa ? der : out, ecdsa ? &der_length : &written, data.data(),
                     data.size()) == 1) {
    if (ecdsa) {
      const std::uint8_t* at = der;
      const std::uint8_t* end = der + der_length;
      written = 0;
      if (end - at >= 2 && at[0] == 0x30 && at[1] == der_length - 2) {
        at += 2;
        if (der_integer(at, end, out) && der_integer(at, end, out + 32) && at == end) written = 64;
      }
    }
  } else {
    written = 0;
  }
  EVP_MD_CTX_free(context);
  return written;
}

std::size_t PrivateKey::public_key(std::uint8_t* out, std::size_t capacity) const noexcept {
  if (algorithm_ == algorithm::ED25519) {
    std::size_t length = capacity;
    if (EVP_PKEY_get_raw_public_key(pkey_, out, &length) != 1) return 0;
    return length;
  }
  // The uncompressed point 0x04 || x || y; DNSKEY carries x || y.
  std::uint8_t point[65];
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(pkey_, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                      &length) != 1 ||
      length != 65 || point[0] != 0x04 || capacity < 64) {
    return 0;
  }
  std::memcpy(out, point + 1, 64);
  return 64;
}

}  // namespace gslbd::dnssec
