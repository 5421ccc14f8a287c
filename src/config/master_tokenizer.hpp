// SPDX-License-Identifier: Apache-2.0
// Splits an RFC 1035 master file into entries and tokens exactly where ldns's reader does.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gslbd::config::detail {

// One token of an entry, a view into the file text. For a quoted token ("..."), text is what is
// between the quotes, escapes as written.
struct MasterToken {
  std::string_view text;
  bool quoted = false;
};

// One entry: a record or a directive, on one line or on several joined by parentheses.
struct MasterEntry {
  static constexpr std::size_t kMaxTokens = 64;

  std::size_t begin = 0;     // where ldns would start reading this entry
  std::size_t end = 0;       // where the next entry starts (plain entries only)
  std::size_t line_end = 0;  // the line break that ends the entry (plain entries only)
  int begin_line = 1;        // line number at begin
  // True when the tokens say exactly what ldns makes of the entry. Otherwise the entry holds
  // syntax the tokenizer leaves to ldns (see MasterTokenizer) and tokens are not filled in.
  bool plain = false;
  bool owner_omitted = false;  // the entry starts with a blank: it belongs to the previous owner
  std::size_t token_count = 0;
  std::array<MasterToken, kMaxTokens> tokens;
};

// Reads entries the way ldns_rr_new_frm_fp_l does (ldns 1.8): an entry ends at a line break
// outside parentheses; `;` starts a comment; parentheses are dropped and line breaks inside them
// are blanks; `"` quotes blanks, `;` and parentheses; a backslash escapes the next character;
// after an entry, line breaks, carriage returns, form feeds and vertical tabs are skipped.
//
// A "plain" entry is one whose tokens are contiguous pieces of the text that ldns splits the same
// way. Anything else is not plain and is left to ldns: unbalanced parentheses, a token glued to
// another across a parenthesis or a comment, a line break inside quotes or after a backslash,
// control characters other than tab/CR/LF, bytes above 0x7e outside comments, more than
// kMaxTokens tokens, very long entries. The caller then hands the text from entry.begin to ldns
// and calls resume_at with the offset where ldns stopped.
//
// Not thread-safe; the text must outlive the tokenizer and must end with '\n' (ldns needs its
// last entry terminated).
class MasterTokenizer {
 public:
  explicit MasterTokenizer(std::string_view text) noexcept : text_(text) {}

  // Reads the next entry into entry. Returns false at the end of the text. A plain entry may have
  // no tokens (a line of blanks and a comment): ldns calls that an empty line.
  bool next(MasterEntry& entry) noexcept;

  // Continues at offset (at or after the last entry's begin), where ldns stopped reading it.
  void resume_at(std::size_t offset) noexcept;

  std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t last_begin_ = 0;
  int last_begin_line_ = 1;
};

// Number of the first line at or after begin (whose line number is begin_line) that holds
// something other than blanks and a comment: where an entry is reported.
int first_content_line(std::string_view text, std::size_t begin, int begin_line) noexcept;

// What ldns reads of text[from, to) inside a plain entry: comments and parentheses dropped, line
// breaks inside parentheses and carriage returns as blanks, quotes and escapes kept.
std::string plain_entry_text(std::string_view text, std::size_t from, std::size_t to);

}  // namespace gslbd::config::detail
