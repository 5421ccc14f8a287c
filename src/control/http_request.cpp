// SPDX-License-Identifier: Apache-2.0
#include "http_request.hpp"

#include <algorithm>

namespace gslbd::control {
namespace {

// RFC 9110 section 5.6.2 token characters.
bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// Visible ASCII and obs-text; no controls in a target.
bool is_target_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f;
}

// Field values: visible characters, obs-text, space and tab (RFC 9110 section 5.5).
bool is_value_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return c == ' ' || c == '\t' || (u > 0x20 && u != 0x7f);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ParseResult error(int status, std::string reason) {
  ParseResult r;
  r.status = ParseStatus::error;
  r.http_status = status;
  r.reason = std::move(reason);
  return r;
}

bool parse_query(std::string_view text, HttpRequest& out) {
  constexpr std::size_t kMaxParams = 32;  // bounded like everything else
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (part.empty()) continue;
    if (out.query.size() >= kMaxParams) return false;
    const std::size_t eq = part.find('=');
    auto name = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) return false;
    out.query.emplace_back(std::move(*name), std::move(*value));
  }
  return true;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view lower_name) const noexcept {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

const std::string* HttpRequest::param(std::string_view name) const noexcept {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

// The head without its final empty line (every field line keeps its CRLF) into out, and the
// declared body length. Called once per request, when the whole head has arrived.
ParseResult parse_head(std::string_view head, const HttpLimits& limits, HttpRequest& out,
                       std::size_t& body_length) {
  // Request line: method SP target SP version.
  std::size_t pos = head.find("\r\n");
  const std::string_view line = head.substr(0, pos);
  pos += 2;
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return error(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return error(400, "malformed method");
  if (target.empty() || target.front() != '/' ||
      !std::all_of(target.begin(), target.end(), is_target_char)) {
    return error(400, "the target must be an origin-form path");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return error(400, "malformed HTTP version");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return error(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  }
  out.method = std::string(method);
  out.target = std::string(target);
  out.http10 = version == "HTTP/1.0";
  const std::size_t question = target.find('?');
  auto path = percent_decode(target.substr(0, question), false);
  if (!path) return error(400, "bad percent-encoding in the path");
  out.path = std::move(*path);
  if (question != std::string_view::npos && !parse_query(target.substr(question + 1), out)) {
    return error(400, "bad query string");
  }

  // Header fields.
  while (pos < head.size()) {
    const std::size_t eol = head.find("\r\n", pos);
    const std::string_view field = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (field.empty()) break;
    if (field.front() == ' ' || field.front() == '\t') {
      return error(400, "obsolete line folding is not accepted");
    }
    if (out.headers.size() >= limits.max_headers) {
      return error(431, "more than " + std::to_string(limits.max_headers) + " header fields");
    }
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) return error(400, "header field without a colon");
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = trim(field.substr(colon + 1));
    if (!is_token(name)) return error(400, "malformed header field name");
    if (!std::all_of(value.begin(), value.end(), is_value_char)) {
      return error(400, "control character in a header field value");
    }
    out.headers.emplace_back(lower(name), std::string(value));
  }

  body_length = 0;
  int content_lengths = 0;
  for (const auto& [name, value] : out.headers) {
    if (name == "transfer-encoding") return error(501, "transfer codings are not supported");
    if (name != "content-length") continue;
    if (++content_lengths > 1) return error(400, "more than one Content-Length");
    if (value.empty() || value.size() > 12 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return error(400, "malformed Content-Length");
    }
    body_length = std::stoull(value);
  }
  if (!out.http10 && out.header("host") == nullptr) {
    return error(400, "an HTTP/1.1 request needs a Host header field");
  }
  if (body_length > limits.max_body_bytes) {
    return error(413,
                 "request body larger than " + std::to_string(limits.max_body_bytes) + " octets");
  }
  return ParseResult{};
}

}  // namespace

const ParseResult& HttpRequestParser::feed(std::string_view octets) {
  if (result_.status != ParseStatus::incomplete) return result_;
  std::size_t i = 0;
  if (!in_body_) {
    // Every octet of the head is checked here once, so what can never become a request (TLS
    // hellos, binary noise, bare LFs) is refused as it arrives, without waiting for the end.
    for (; i < octets.size(); ++i) {
      const char c = octets[i];
      if (!method_seen_) {
        if (c == ' ' && !head_.empty()) {
          method_seen_ = true;
        } else if (!is_tchar(c)) {
          result_ = error(400, "malformed method");
          return result_;
        }
      }
      if (c == '\0') {
        result_ = error(400, "NUL octet in the request head");
        return result_;
      }
      if (c == '\n' && (head_.empty() || head_.back() != '\r')) {
        result_ = error(400, "lines must end in CRLF");
        return result_;
      }
      head_.push_back(c);
      // The head ends at the first CRLFCRLF; the check above makes any LF follow a CR.
      if (c == '\n' && head_.size() >= 4 && head_[head_.size() - 3] == '\n') {
        ++i;
        finish_head();
        break;
      }
      if (head_.size() >= limits_.max_head_bytes) {
        result_ = error(
            431, "request head larger than " + std::to_string(limits_.max_head_bytes) + " octets");
        return result_;
      }
    }
  }
  if (in_body_ && result_.status == ParseStatus::incomplete) {
    const std::size_t take = std::min(body_length_ - request_.body.size(), octets.size() - i);
    request_.body.append(octets.substr(i, take));
    if (request_.body.size() == body_length_) {
      result_.status = ParseStatus::complete;
      result_.used = head_.size() + body_length_;
    }
  }
  return result_;
}

void HttpRequestParser::finish_head() {
  const ParseResult parsed = parse_head(std::string_view(head_).substr(0, head_.size() - 2),
                                        limits_, request_, body_length_);
  if (parsed.status == ParseStatus::error) {
    result_ = parsed;
    return;
  }
  in_body_ = true;
  request_.body.reserve(body_length_);
  if (body_length_ == 0) {
    result_.status = ParseStatus::complete;
    result_.used = head_.size();
  }
}

ParseResult parse_http_request(std::string_view buffer, const HttpLimits& limits,
                               HttpRequest& out) {
  HttpRequestParser parser(limits);
  ParseResult result = parser.feed(buffer);
  out = std::move(parser.request());
  return result;
}

}  // namespace gslbd::control
