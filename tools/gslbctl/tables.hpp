// SPDX-License-Identifier: Apache-2.0
// Readable text for gslbctl: the /status table and the /explain decision.
#pragma once

#include <string>

#include "json_value.hpp"

namespace gslbctl {

// Column-aligned text; the widths follow the content.
std::string status_text(const JsonValue& status);
std::string explain_text(const JsonValue& explain);

}  // namespace gslbctl
