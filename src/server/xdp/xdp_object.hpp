// SPDX-License-Identifier: Apache-2.0
// The compiled XDP program (gslbd_xdp.bpf.c for the BPF target), an ELF object embedded in
// the binary by the build, so that the daemon never looks for it on disk.
#pragma once

#include <cstddef>

namespace gslbd::server::xdp {

extern const unsigned char kObject[];
extern const std::size_t kObjectSize;

}  // namespace gslbd::server::xdp
