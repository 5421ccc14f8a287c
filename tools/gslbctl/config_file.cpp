// SPDX-License-Identifier: Apache-2.0
#include "config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gslbctl {
namespace {

std::string at(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// The same rule as gslbd's: absolute paths stay, relative ones are under the main file's
// directory (or the working directory when the main file was named without one).
std::string beside(const std::string& main_path, const std::string& name) {
  const auto slash = main_path.rfind('/');
  if (name.empty() || name.front() == '/' || slash == std::string::npos) return name;
  return main_path.substr(0, slash + 1) + name;
}

}  // namespace

bool read_control_settings(const std::string& path, ControlSettings& out, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    error = at(path, e.mark) + ": " + e.msg;
    return false;
  }
  if (!root.IsMap()) {
    error = path + ": not a gslbd main file (expected a map at the top)";
    return false;
  }
  const YAML::Node peers = root["peers"];
  if (peers && peers.IsMap() && peers["instances"] && peers["instances"].IsSequence()) {
    for (const YAML::Node& instance : peers["instances"]) {
      const YAML::Node url = instance.IsMap() ? instance["url"] : YAML::Node();
      if (!url || !url.IsScalar()) {
        error = at(path, instance.Mark()) + ": a peers.instances entry without a url";
        return false;
      }
      out.peer_urls.push_back(url.Scalar());
    }
  }
  const YAML::Node control = root["control"];
  if (!control) return true;
  if (!control.IsMap()) {
    error = at(path, control.Mark()) + ": 'control' must be a map";
    return false;
  }
  auto scalar = [&](const char* key, std::optional<std::string>& value) {
    const YAML::Node node = control[key];
    if (!node) return true;
    if (!node.IsScalar()) {
      error = at(path, node.Mark()) + ": 'control." + key + "' must be a string";
      return false;
    }
    value = node.Scalar();
    return true;
  };
  std::optional<std::string> enabled;
  if (!scalar("enabled", enabled) || !scalar("listen", out.listen) ||
      !scalar("token_file", out.token_file)) {
    return false;
  }
  if (enabled) {
    if (*enabled != "true" && *enabled != "false") {
      error = at(path, control["enabled"].Mark()) + ": 'control.enabled': expected true or false";
      return false;
    }
    out.enabled = *enabled == "true";
  }
  if (out.token_file) out.token_file = beside(path, *out.token_file);
  return true;
}

}  // namespace gslbctl
