#include "aws/xml.h"

#include "core/text.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cstdint>

namespace aws::xml {

namespace {

constexpr int kMaxDepth = 100;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_char(char c) {
  return !is_space(c) && c != '/' && c != '>' && c != '=' && c != '<' && c != '?' && c != '!' &&
         c != '"' && c != '\'';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string_view local_name(std::string_view name) {
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  core::Result<Element> document() {
    skip_misc();
    if (!at('<')) return error("expected a root element");
    Element root;
    if (!element(root, 0)) return error(why_);
    skip_misc();
    if (pos_ != s_.size()) return error("content after the root element");
    return root;
  }

 private:
  core::Error error(std::string_view what) const {
    return core::invalid(fmt::format("malformed XML at offset {}: {}", pos_, what));
  }
  bool fail(std::string why) {
    why_ = std::move(why);
    return false;
  }
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool starts(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }
  bool skip_past(std::string_view end) {
    const size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos) return false;
    pos_ = e + end.size();
    return true;
  }

  // Whitespace, comments, processing instructions and a DOCTYPE outside the root element.
  void skip_misc() {
    while (true) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) pos_ = s_.size();
      } else if (starts("<!--")) {
        if (!skip_past("-->")) pos_ = s_.size();
      } else if (starts("<!DOCTYPE")) {
        if (!skip_past(">")) pos_ = s_.size();
      } else {
        return;
      }
    }
  }

  std::string name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  // Decodes entity and character references in s_[from, to).
  bool decode(std::string_view raw, std::string& out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out.push_back(raw[i]);
        continue;
      }
      const size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) return fail("unterminated entity reference");
      const std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "lt")
        out.push_back('<');
      else if (ent == "gt")
        out.push_back('>');
      else if (ent == "amp")
        out.push_back('&');
      else if (ent == "quot")
        out.push_back('"');
      else if (ent == "apos")
        out.push_back('\'');
      else if (!ent.empty() && ent[0] == '#') {
        uint32_t cp = 0;
        const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
        const std::string_view digits = ent.substr(hex ? 2 : 1);
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size() ||
            cp > 0x10FFFF) {
          return fail("bad character reference");
        }
        append_utf8(out, cp);
      } else {
        return fail(fmt::format("unknown entity '&{};'", ent));
      }
      i = semi;
    }
    return true;
  }

  bool element(Element& el, int depth) {
    if (depth >= kMaxDepth) return fail("elements nest too deeply");
    ++pos_;  // '<'
    const std::string qname = name();
    if (qname.empty()) return fail("expected an element name");
    el.name = std::string(local_name(qname));
    while (true) {
      skip_space();
      if (starts("/>")) {
        pos_ += 2;
        return true;
      }
      if (at('>')) {
        ++pos_;
        break;
      }
      std::string attr = name();
      if (attr.empty()) return fail("expected an attribute name");
      skip_space();
      if (!at('=')) return fail("expected '=' after an attribute name");
      ++pos_;
      skip_space();
      if (!at('"') && !at('\'')) return fail("expected a quoted attribute value");
      const char quote = s_[pos_++];
      const size_t end = s_.find(quote, pos_);
      if (end == std::string_view::npos) return fail("unterminated attribute value");
      std::string value;
      if (!decode(s_.substr(pos_, end - pos_), value)) return false;
      pos_ = end + 1;
      el.attributes.emplace_back(std::move(attr), std::move(value));
    }
    // Content.
    while (true) {
      if (pos_ >= s_.size()) return fail(fmt::format("element '{}' is not closed", qname));
      if (starts("</")) {
        pos_ += 2;
        const std::string closing = name();
        if (closing != qname) {
          return fail(fmt::format("'{}' closed by '{}'", qname, closing));
        }
        skip_space();
        if (!at('>')) return fail("expected '>'");
        ++pos_;
        return true;
      }
      if (starts("<!--")) {
        if (!skip_past("-->")) return fail("unterminated comment");
      } else if (starts("<![CDATA[")) {
        pos_ += 9;
        const size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) return fail("unterminated CDATA section");
        el.text.append(s_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (starts("<?")) {
        if (!skip_past("?>")) return fail("unterminated processing instruction");
      } else if (at('<')) {
        el.children.emplace_back();
        if (!element(el.children.back(), depth + 1)) return false;
      } else {
        const size_t end = s_.find('<', pos_);
        const size_t stop = end == std::string_view::npos ? s_.size() : end;
        if (!decode(s_.substr(pos_, stop - pos_), el.text)) return false;
        pos_ = stop;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string why_;
};

}  // namespace

const Element* Element::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const Element*> Element::children_named(std::string_view child_name) const {
  std::vector<const Element*> out;
  for (const auto& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::string Element::child_text(std::string_view child_name) const {
  const Element* c = child(child_name);
  return c ? c->text : std::string();
}

core::Result<Element> parse(std::string_view document) { return Parser(document).document(); }

Writer& Writer::declaration() {
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  return *this;
}

Writer& Writer::open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += core::escape_xml(xmlns);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

Writer& Writer::element(std::string_view name, std::string_view text) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  out_ += core::escape_xml(text);
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

Writer& Writer::close() {
  assert(!open_.empty());
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
  return *this;
}

}  // namespace aws::xml
