// SPDX-License-Identifier: Apache-2.0
// The main file: version, the server:, control:, dnstap: and peers: sections and the zones: and
// pools: globs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gslbd/runtime/peers_config.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/util/source_error.hpp"

namespace gslbd::config::detail {

struct MainFile {
  runtime::ServerConfig server;
  runtime::PeersConfig peers;
  std::vector<std::string> zone_files;  // matched by the zones: globs, in order, each once
  std::vector<std::string> pool_files;  // matched by the pools: globs, in order, each once
};

// Reads the main file's text (path is used for positions and as the base of the globs). Errors
// are appended; the result is then incomplete and must not be used.
MainFile load_main_file(const std::string& path, const std::string& text,
                        std::vector<util::SourceError>& errors);

// The keys of the server: section (with tcp, log, cookies and rate_limit), control:, dnstap:,
// peers: and xdp:, for the test that the documentation names each.
std::vector<std::string_view> main_file_key_names();

}  // namespace gslbd::config::detail
