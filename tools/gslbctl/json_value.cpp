// SPDX-License-Identifier: Apache-2.0
#include "json_value.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gslbctl {

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  bool document(JsonValue& out) {
    if (!value(out, 0)) return false;
    skip_space();
    return pos_ == text_.size() || fail("trailing data");
  }
  std::string error;

 private:
  static constexpr int kMaxDepth = 64;

  bool fail(const char* what) {
    error = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("unexpected token");
    pos_ += word.size();
    return true;
  }
  static void append_utf8(unsigned cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(unsigned& out) {
    if (pos_ + 4 > text_.size()) return fail("short \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        return fail("bad \\u escape");
      }
    }
    return true;
  }
  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            unsigned low = 0;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          append_utf8(cp, out);
          break;
        }
        default:
          return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }
  bool value(JsonValue& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    skip_space();
    if (pos_ >= text_.size()) return fail("unexpected end");
    const char c = text_[pos_];
    if (c == '{') {
      out.kind_ = JsonValue::Kind::object;
      ++pos_;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      for (;;) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a key");
        std::string key;
        if (!string(key)) return false;
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':'");
        ++pos_;
        JsonValue member;
        if (!value(member, depth + 1)) return false;
        out.object_.emplace_back(std::move(key), std::move(member));
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == '}') {
          ++pos_;
          return true;
        }
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      out.kind_ = JsonValue::Kind::array;
      ++pos_;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      for (;;) {
        JsonValue item;
        if (!value(item, depth + 1)) return false;
        out.array_.push_back(std::move(item));
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ']') {
          ++pos_;
          return true;
        }
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      out.kind_ = JsonValue::Kind::string;
      return string(out.string_);
    }
    if (c == 't') {
      out.kind_ = JsonValue::Kind::boolean;
      out.boolean_ = true;
      return literal("true");
    }
    if (c == 'f') {
      out.kind_ = JsonValue::Kind::boolean;
      return literal("false");
    }
    if (c == 'n') return literal("null");
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::string_view("+-.eE0123456789").find(text_[pos_]) != std::string_view::npos)) {
      ++pos_;
    }
    if (start == pos_) return fail("unexpected character");
    const std::string number(text_.substr(start, pos_ - start));
    char* end = nullptr;
    out.number_ = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return fail("bad number");
    out.kind_ = JsonValue::Kind::number;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

const JsonValue& JsonValue::operator[](std::string_view key) const noexcept {
  static const JsonValue kNull;
  for (const auto& [name, value] : object_) {
    if (name == key) return value;
  }
  return kNull;
}

std::string JsonValue::text() const {
  switch (kind_) {
    case Kind::string:
      return string_;
    case Kind::boolean:
      return boolean_ ? "true" : "false";
    case Kind::number: {
      if (std::floor(number_) == number_ && std::fabs(number_) < 1e15) {
        return std::to_string(static_cast<long long>(number_));
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", number_);
      return buf;
    }
    default:
      return "";
  }
}

std::optional<JsonValue> JsonValue::parse(std::string_view text, std::string& error) {
  JsonParser parser(text);
  JsonValue out;
  if (!parser.document(out)) {
    error = parser.error;
    return std::nullopt;
  }
  return out;
}

}  // namespace gslbctl
