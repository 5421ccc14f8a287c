// SPDX-License-Identifier: Apache-2.0
#include "members.hpp"

#include <cstdio>

#include "json_value.hpp"

namespace gslbctl {

int cmd_members(const Globals& g) {
  const HttpResult r = http_request(g.endpoint, "GET", "/status", g.token, g.timeout);
  if (!r.ok) {
    std::fprintf(stderr, "gslbctl: %s\n", r.error.c_str());
    return 1;
  }
  std::string error;
  const auto status = JsonValue::parse(r.body, error);
  if (r.status != 200 || !status) {
    std::fprintf(stderr, "gslbctl: gslbd answered %d%s%s\n", r.status, error.empty() ? "" : ": ",
                 error.c_str());
    return 1;
  }
  for (const JsonValue& pool : (*status)["pools"].items()) {
    for (const JsonValue& member : pool["members"].items()) {
      std::printf("%s\t%s\n", pool["name"].text().c_str(), member["name"].text().c_str());
    }
  }
  return 0;
}

}  // namespace gslbctl
