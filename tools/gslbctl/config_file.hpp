// SPDX-License-Identifier: Apache-2.0
// Where gslbctl finds gslbd: the control section of a gslbd main file (control.listen,
// control.token_file), read the way gslbd reads them, as knotc reads knot.conf.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gslbctl {

struct ControlSettings {
  bool enabled = true;
  std::optional<std::string> listen;      // control.listen as written
  std::optional<std::string> token_file;  // control.token_file, relative to the file's directory
  std::vector<std::string> peer_urls;     // peers.instances[].url, as written
};

// Reads path's control section. Only those keys are looked at, so a file gslbd would reject
// for another reason still names the endpoint. False with a one-line reason (file:line:col for
// YAML errors).
bool read_control_settings(const std::string& path, ControlSettings& out, std::string& error);

}  // namespace gslbctl
