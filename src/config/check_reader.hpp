// SPDX-License-Identifier: Apache-2.0
// Health checks in pool files: the named templates of a `checks:` section, and the check lists
// of pools and members, which name a template, refine one, or stand alone.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gslbd/health/check_spec.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// The most checks one member (or a pool's default list) may have: each is probed on its own, and
// a bound keeps a pool's memory linear in the size of its file.
inline constexpr std::size_t kMaxChecksPerMember = 16;

// The keys a check (or a check template) may have.
std::vector<std::string_view> check_key_names();

// Reads checks against the templates read so far. All pool files' templates are read before any
// pool, so a check may use a template from another file. Not thread-safe; one per load.
class CheckReader {
 public:
  // A `checks:` section of templates; a name defined twice is reported with both places.
  void read_templates(Diagnostics& diag, const Value& value);
  // A pool's or member's `checks:` list: at most kMaxChecksPerMember; items with errors are
  // reported and left out.
  std::vector<health::CheckSpec> read_checks(Diagnostics& diag, const Value& value);

 private:
  struct Template {
    health::CheckSpec spec;
    std::string where;  // file:line, for "defined twice" messages
  };

  std::optional<health::CheckSpec> read_check(Diagnostics& diag, const Value& value,
                                              bool is_template);
  void report_unknown_template(Diagnostics& diag, const Value& value,
                               const std::string& name) const;

  std::map<std::string, Template> templates_;
  std::set<std::string> broken_templates_;  // defined, but with errors
};

}  // namespace gslbd::config::detail
