// SPDX-License-Identifier: Apache-2.0
#include "json_reader.hpp"

#include <algorithm>

namespace gslbd::control {

std::optional<bool> JsonValue::as_bool() const noexcept {
  if (kind_ != Kind::boolean) return std::nullopt;
  return boolean_;
}

std::optional<std::uint64_t> JsonValue::as_uint() const noexcept {
  if (kind_ != Kind::number || !integer_) return std::nullopt;
  return uint_;
}

const std::string* JsonValue::as_string() const noexcept {
  return kind_ == Kind::string ? &string_ : nullptr;
}

const std::vector<JsonValue>* JsonValue::as_array() const noexcept {
  return kind_ == Kind::array ? &array_ : nullptr;
}

const std::vector<std::pair<std::string, JsonValue>>* JsonValue::as_object() const noexcept {
  return kind_ == Kind::object ? &object_ : nullptr;
}

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
  if (kind_ != Kind::object) return nullptr;
  for (const auto& [name, value] : object_) {
    if (name == key) return &value;
  }
  return nullptr;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  std::optional<JsonValue> document(std::string& error) {
    JsonValue out;
    skip_space();
    if (!value(out, 0)) {
      error = "offset " + std::to_string(pos_) + ": " + error_;
      return std::nullopt;
    }
    skip_space();
    if (pos_ != text_.size()) {
      error = "offset " + std::to_string(pos_) + ": text after the document";
      return std::nullopt;
    }
    return out;
  }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() noexcept {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                         text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("expected a JSON value");
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& out, std::size_t depth) {
    // depth counts the containers around this value.
    if ((peek() == '{' || peek() == '[') && depth >= kMaxJsonDepth) {
      return fail("nested too deeply");
    }
    switch (peek()) {
      case '{':
        return object(out, depth);
      case '[':
        return array(out, depth);
      case '"':
        out.kind_ = JsonValue::Kind::string;
        return string(out.string_);
      case 't':
        out.kind_ = JsonValue::Kind::boolean;
        out.boolean_ = true;
        return literal("true");
      case 'f':
        out.kind_ = JsonValue::Kind::boolean;
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number(out);
    }
  }

  bool object(JsonValue& out, std::size_t depth) {
    out.kind_ = JsonValue::Kind::object;
    ++pos_;
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (peek() != '"') return fail("expected a member name");
      std::string key;
      if (!string(key)) return false;
      // Duplicates would let two readers see two different documents.
      if (std::any_of(out.object_.begin(), out.object_.end(),
                      [&](const auto& member) { return member.first == key; })) {
        return fail("duplicate member name");
      }
      skip_space();
      if (peek() != ':') return fail("expected ':'");
      ++pos_;
      skip_space();
      if (out.object_.size() == kMaxJsonObjectMembers) return fail("too many members in an object");
      out.object_.emplace_back(std::move(key), JsonValue{});
      if (!value(out.object_.back().second, depth + 1)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool array(JsonValue& out, std::size_t depth) {
    out.kind_ = JsonValue::Kind::array;
    ++pos_;
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      out.array_.emplace_back();
      if (!value(out.array_.back(), depth + 1)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool number(JsonValue& out) {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++pos_;
    } else {
      return fail("expected a JSON value");
    }
    const std::size_t int_end = pos_;
    if (peek() == '.') {
      ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) return fail("expected a digit after '.'");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!(peek() >= '0' && peek() <= '9')) return fail("expected a digit in the exponent");
      while (peek() >= '0' && peek() <= '9') ++pos_;
    }
    out.kind_ = JsonValue::Kind::number;
    if (text_[start] != '-' && int_end == pos_) {
      std::uint64_t v = 0;
      bool fits = true;
      for (std::size_t i = start; i < int_end; ++i) {
        const auto digit = static_cast<std::uint64_t>(text_[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) {
          fits = false;
          break;
        }
        v = v * 10 + digit;
      }
      out.integer_ = fits;
      out.uint_ = fits ? v : 0;
    }
    return true;
  }

  bool hex4(unsigned& out) {
    if (text_.size() - pos_ < 4) return fail("expected 4 hex digits after \\u");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return fail("expected 4 hex digits after \\u");
      out = out * 16 + static_cast<unsigned>(d);
    }
    return true;
  }

  static void append_utf8(unsigned cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // One UTF-8 sequence starting at pos_ (shortest form, no surrogates, at most U+10FFFF).
  bool utf8(std::string& out) {
    const auto b0 = static_cast<unsigned char>(text_[pos_]);
    std::size_t n = 0;
    unsigned cp = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 1;
      cp = b0 & 0x1fu;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 2;
      cp = b0 & 0x0fu;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 3;
      cp = b0 & 0x07u;
    } else {
      return fail("invalid UTF-8");
    }
    if (text_.size() - pos_ <= n) return fail("invalid UTF-8");
    for (std::size_t i = 1; i <= n; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + i]);
      if ((b & 0xc0) != 0x80) return fail("invalid UTF-8");
      cp = (cp << 6) | (b & 0x3fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return fail("invalid UTF-8");
    }
    out.append(text_.substr(pos_, n + 1));
    pos_ += n + 1;
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (at_end()) return fail("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c >= 0x80) {
        if (!utf8(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (at_end()) return fail("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xdc00 && cp <= 0xdfff) return fail("lone low surrogate");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned low = 0;
            if (text_.substr(pos_, 2) != "\\u") return fail("lone high surrogate");
            pos_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return fail("lone high surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(cp, out);
          break;
        }
        default:
          return fail("unknown escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

std::optional<JsonValue> parse_json(std::string_view text, std::string& error) {
  return JsonParser(text).document(error);
}

}  // namespace gslbd::control
