// SPDX-License-Identifier: Apache-2.0
// The private half of a key: an OpenSSL EVP_PKEY, and the one operation done with it, making a
// DNSSEC signature (RFC 6605 section 4: r || s for ECDSA; RFC 8080: the plain Ed25519 output).
// Private to the dnssec module. Immutable after construction; sign() may be called from any
// number of threads at once (OpenSSL 3 allows concurrent use of one key for signing).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "gslbd/dnssec/key.hpp"

namespace gslbd::dnssec {

class PrivateKey {
 public:
  // Takes one reference of pkey.
  PrivateKey(EVP_PKEY* pkey, std::uint8_t algorithm) noexcept
      : pkey_(pkey), algorithm_(algorithm) {}
  ~PrivateKey();
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  static constexpr std::size_t kMaxSignature = 64;  // both algorithms

  // Signs data into out (kMaxSignature octets); returns the signature's length, 0 on failure.
  // OpenSSL allocates inside (with malloc, never operator new) and takes no lock of ours.
  std::size_t sign(std::span<const std::uint8_t> data, std::uint8_t* out) const noexcept;

  // The public key as DNSKEY rdata carries it (RFC 6605 section 4, RFC 8080 section 3);
  // empty on failure.
  std::size_t public_key(std::uint8_t* out, std::size_t capacity) const noexcept;

  std::uint8_t algorithm() const noexcept { return algorithm_; }

 private:
  EVP_PKEY* pkey_;
  std::uint8_t algorithm_;
};

}  // namespace gslbd::dnssec
