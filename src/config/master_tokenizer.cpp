// SPDX-License-Identifier: Apache-2.0
#include "master_tokenizer.hpp"

#include <algorithm>
#include <cstring>

namespace gslbd::config::detail {
namespace {

// Longest plain entry, from its first character to its line break. ldns refuses entries of
// LDNS_MAX_LINELEN (10230) characters; longer entries than this go to ldns to get its answer.
constexpr std::size_t kMaxPlainEntry = 8000;

bool is_visible(unsigned char c) noexcept {
  return c >= 0x21 && c <= 0x7e;
}

// Characters that end a token or mean something to ldns's reader (a backslash does not: it
// escapes the next character inside the token).
bool is_token_char(unsigned char c) noexcept {
  return is_visible(c) && c != '"' && c != '(' && c != ')' && c != ';';
}

bool is_entry_gap(char c) noexcept {
  return c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool MasterTokenizer::next(MasterEntry& entry) noexcept {
  const char* const s = text_.data();
  const std::size_t n = text_.size();
  std::size_t q = pos_;
  int line = line_;
  entry.begin = q;
  entry.end = q;
  entry.begin_line = line;
  entry.plain = false;
  entry.owner_omitted = false;
  entry.token_count = 0;
  last_begin_ = q;
  last_begin_line_ = line;
  if (q >= n) return false;

  int depth = 0;            // open parentheses
  bool started = false;     // ldns's line for this entry has a character
  bool in_token = false;    // the previous character of the text is part of the current token
  bool token_last = false;  // the last character of ldns's line is part of a token
  std::size_t first = q;    // the first character of ldns's line
  std::size_t token_begin = q;
  std::size_t count = 0;

  // Returns with entry.plain false: the caller hands the entry to ldns and calls resume_at.
  while (q < n) {
    const auto c = static_cast<unsigned char>(s[q]);
    if (is_token_char(c)) {
      if (!in_token) {
        if (token_last) return true;  // ldns would join this to the token before
        if (!started) {
          started = true;
          first = q;
        }
        in_token = true;
        token_last = true;
        token_begin = q;
      }
      if (c == '\\') {
        if (q + 1 >= n || !is_visible(static_cast<unsigned char>(s[q + 1]))) return true;
        q += 2;
      } else {
        ++q;
      }
      continue;
    }
    if (in_token) {
      if (count == MasterEntry::kMaxTokens) return true;
      entry.tokens[count++] = {std::string_view(s + token_begin, q - token_begin), false};
      in_token = false;
    }
    switch (c) {
      case ' ':
      case '\t':
      case '\r':  // ldns reads a carriage return as a blank
        if (!started) {
          started = true;
          first = q;
          entry.owner_omitted = true;
        }
        token_last = false;
        ++q;
        break;
      case '\n':
        if (depth > 0) {
          if (!started) return true;  // ldns drops this one instead of reading a blank
          token_last = false;
          ++line;
          ++q;
          break;
        }
        if (!started) {  // a line break before the entry: ldns skips it
          ++line;
          ++q;
          break;
        }
        goto terminated;
      case ';': {
        const void* nl = std::memchr(s + q, '\n', n - q);
        if (nl == nullptr) return true;
        q = static_cast<std::size_t>(static_cast<const char*>(nl) - s);
        if (depth == 0) {
          if (started) goto terminated;
          ++line;
          ++q;
          break;
        }
        // Inside parentheses the comment's line break is no blank for ldns: whatever follows
        // joins what came before, so token_last stays as it is.
        ++line;
        ++q;
        break;
      }
      case '(':
        ++depth;
        ++q;
        break;
      case ')':
        if (--depth < 0) return true;
        ++q;
        break;
      case '"': {
        if (token_last) return true;
        std::size_t r = q + 1;
        while (true) {
          if (r >= n) return true;
          const auto ch = static_cast<unsigned char>(s[r]);
          if (ch == '"') break;
          if (ch == '\\') {
            if (r + 1 >= n) return true;
            const auto escaped = static_cast<unsigned char>(s[r + 1]);
            if (escaped < 0x20 || escaped > 0x7e) return true;
            r += 2;
          } else if (ch == '\t' || (ch >= 0x20 && ch <= 0x7e)) {
            ++r;
          } else {
            return true;  // a line break, carriage return or other control inside the quotes
          }
        }
        if (r + 1 >= n) return true;
        const char after = s[r + 1];
        if (after != ' ' && after != '\t' && after != '\r' && after != '\n' && after != ';' &&
            after != '(' && after != ')') {
          return true;
        }
        if (!started) {
          started = true;
          first = q;
        }
        if (count == MasterEntry::kMaxTokens) return true;
        entry.tokens[count++] = {std::string_view(s + q + 1, r - q - 1), true};
        token_last = true;
        q = r + 1;
        break;
      }
      default:
        return true;  // control characters, form feed, vertical tab, NUL, bytes above 0x7e
    }
  }
  // The end of the text. It ends in '\n', so an entry is still open only inside parentheses.
  if (depth != 0 || started) return true;
  pos_ = n;
  line_ = line;
  return false;

terminated:  // q is at the line break that ends the entry
  if (q - first > kMaxPlainEntry) return true;
  entry.line_end = q;
  ++line;
  ++q;
  while (q < n && is_entry_gap(s[q])) {
    if (s[q] == '\n') ++line;
    ++q;
  }
  entry.end = q;
  entry.plain = true;
  entry.token_count = count;
  pos_ = q;
  line_ = line;
  return true;
}

void MasterTokenizer::resume_at(std::size_t offset) noexcept {
  offset = std::clamp(offset, last_begin_, text_.size());
  const auto first = text_.begin() + static_cast<std::ptrdiff_t>(last_begin_);
  const auto last = text_.begin() + static_cast<std::ptrdiff_t>(offset);
  line_ = last_begin_line_ + static_cast<int>(std::count(first, last, '\n'));
  pos_ = offset;
}

int first_content_line(std::string_view text, std::size_t begin, int begin_line) noexcept {
  std::size_t q = begin;
  int line = begin_line;
  while (q < text.size()) {
    while (q < text.size() && (text[q] == ' ' || text[q] == '\t' || text[q] == '\r')) ++q;
    if (q < text.size() && text[q] != '\n' && text[q] != ';') return line;
    const std::size_t nl = text.find('\n', q);
    if (nl == std::string_view::npos) break;
    q = nl + 1;
    ++line;
  }
  return begin_line;
}

std::string plain_entry_text(std::string_view text, std::size_t from, std::size_t to) {
  std::string out;
  out.reserve(to - from);
  std::size_t q = from;
  while (q < to) {
    const char c = text[q];
    switch (c) {
      case '"': {
        std::size_t r = q + 1;
        while (r < to && text[r] != '"') r += text[r] == '\\' ? 2 : 1;
        r = std::min(r + 1, to);
        out.append(text.substr(q, r - q));
        q = r;
        break;
      }
      case '\\':
        out.append(text.substr(q, std::min<std::size_t>(2, to - q)));
        q += 2;
        break;
      case ';': {  // the comment and its line break, which inside parentheses is no blank
        const std::size_t nl = text.find('\n', q);
        q = nl == std::string_view::npos ? to : nl + 1;
        break;
      }
      case '(':
      case ')':
        ++q;
        break;
      case '\n':
      case '\r':
        out += ' ';
        ++q;
        break;
      default:
        out += c;
        ++q;
    }
  }
  return out;
}

}  // namespace gslbd::config::detail
