#include "parse/prescan.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace netlab {
namespace {

Pos at(const std::shared_ptr<const std::string>& file, int line, int col) {
  return Pos{file, line, col};
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

bool check_encoding(std::string_view text, const std::shared_ptr<const std::string>& file,
                    Diagnostics& diags) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      diags.error(at(file, line, col),
                  "invalid UTF-8 byte " + hex_byte(c) + " (topology files must be UTF-8 text)");
      return false;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      diags.error(at(file, line, col), "control character " + hex_byte(c) + " is not allowed");
      return false;
    }
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      col += static_cast<int>(len);  // columns count bytes, as yaml-cpp's marks do
    }
    i += len;
  }
  return true;
}

// Estimates the nesting depth line by line: the stack of open block indentation columns plus
// the open flow brackets. Quoted scalars, comments and block scalars are skipped so their
// brackets do not count. It may over-estimate (every "- " counts as a list and a mapping) but
// does not under-estimate, which is what a guard needs. Calls on_deeper(depth, line,
// col) whenever the depth grows; stops early if it returns false.
template <class F>
void scan_depth(std::string_view text, F on_deeper) {
  std::vector<int> indents;  // non-decreasing columns of open block levels
  int flow = 0;
  char quote = 0;
  int block_scalar_parent = -1;  // >= 0 while inside a | or > scalar: its parent's indent
  int line = 0;
  std::size_t start = 0;
  auto depth = [&] { return static_cast<int>(indents.size()) + flow; };
  while (start <= text.size()) {
    ++line;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    start = end + 1;
    auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t p = 0;
    while (p < l.size() && is_blank(l[p])) ++p;
    int indent = static_cast<int>(p);
    bool empty = p == l.size() || l[p] == '#';
    if (block_scalar_parent >= 0) {
      if (empty || indent > block_scalar_parent) continue;
      block_scalar_parent = -1;
    }
    bool node_start = true;
    if (quote == 0 && flow == 0) {
      if (empty) continue;
      bool marker = (l.substr(p, 3) == "---" || l.substr(p, 3) == "...") && indent == 0 &&
                    (l.size() == 3 || is_blank(l[3]));
      if (marker) {
        indents.clear();
        p = 3;
      } else {
        while (!indents.empty() && indents.back() > indent) indents.pop_back();
        if (indents.empty() || indents.back() < indent) {
          indents.push_back(indent);
          if (!on_deeper(depth(), line, indent + 1)) return;
        }
      }
    }
    for (; p < l.size(); ++p) {
      char c = l[p];
      char next = p + 1 < l.size() ? l[p + 1] : '\0';
      bool next_blank = next == '\0' || is_blank(next);
      if (quote == '"') {
        if (c == '\\')
          ++p;
        else if (c == '"')
          quote = 0, node_start = false;
        continue;
      }
      if (quote == '\'') {
        if (c == '\'' && next == '\'')
          ++p;
        else if (c == '\'')
          quote = 0, node_start = false;
        continue;
      }
      if (is_blank(c)) continue;
      if (c == '#' && (p == 0 || is_blank(l[p - 1]))) break;
      if (node_start && (c == '"' || c == '\'')) {
        quote = c;
        continue;
      }
      if (node_start && (c == '&' || c == '!')) {  // anchor or tag: a node still follows
        while (p + 1 < l.size() && !is_blank(l[p + 1]) &&
               (flow == 0 || std::string_view(",[]{}").find(l[p + 1]) == std::string_view::npos))
          ++p;
        continue;
      }
      if (flow > 0 || node_start) {
        if (c == '[' || c == '{') {
          ++flow;
          node_start = true;
          if (!on_deeper(depth(), line, static_cast<int>(p) + 1)) return;
          continue;
        }
      }
      if (flow > 0) {
        if (c == ']' || c == '}') {
          --flow;
          node_start = false;
        } else {
          node_start = c == ',' || c == ':' || c == '?';
        }
        continue;
      }
      // Block context.
      if ((c == '-' || c == '?') && node_start && next_blank) {
        std::size_t q = p + 1;
        while (q < l.size() && is_blank(l[q])) ++q;
        if (q < l.size() && l[q] != '#') {
          // Two levels: the item may open a mapping at this column ("- name: x"), which
          // following lines at the same indentation continue.
          for (int k = 0; k < 2; ++k) {
            indents.push_back(static_cast<int>(q));
            if (!on_deeper(depth(), line, static_cast<int>(q) + 1)) return;
          }
        }
        p = q - 1;
        continue;
      }
      if (c == ':' && next_blank) {
        node_start = true;
        continue;
      }
      if (node_start && (c == '|' || c == '>')) {
        block_scalar_parent = indent;
        break;
      }
      node_start = false;
    }
    if (end == text.size()) break;
  }
}

}  // namespace

int estimate_nesting_depth(std::string_view text) {
  int max = 0;
  scan_depth(text, [&](int depth, int, int) {
    max = std::max(max, depth);
    return true;
  });
  return max;
}

bool prescan_text(std::string_view text, const std::shared_ptr<const std::string>& file,
                  Diagnostics& diags) {
  if (text.size() > kMaxTopologyBytes) {
    diags.error(Pos{file, 0, 0}, "file is " + std::to_string(text.size()) +
                                     " bytes; a topology may be at most 1 MiB (" +
                                     std::to_string(kMaxTopologyBytes) + " bytes)");
    return false;
  }
  if (!check_encoding(text, file, diags)) return false;
  bool ok = true;
  scan_depth(text, [&](int depth, int line, int col) {
    if (depth <= kMaxNestingDepth) return true;
    diags.error(at(file, line, col),
                "nesting is deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    ok = false;
    return false;
  });
  return ok;
}

}  // namespace netlab
