// A small XML reader and writer, enough for AWS query and S3 documents. Internal to src/aws.
//
// The reader builds an element tree: namespace prefixes are dropped from names (as botocore
// does with "{uri}Name"), comments, processing instructions and a DOCTYPE are skipped, entity
// and character references and CDATA are decoded. It never fetches anything. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace aws::xml {

struct Element {
  std::string name;  // local name, without any namespace prefix
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // the character data directly inside this element, concatenated
  std::vector<Element> children;

  // The first child called `name`, or nullptr.
  const Element* child(std::string_view child_name) const;
  std::vector<const Element*> children_named(std::string_view child_name) const;
  // The text of the first child called `name`, or "" when there is none.
  std::string child_text(std::string_view child_name) const;
};

// Parses a document and returns its root element. Invalid when the text is not well-formed
// (or nests deeper than 100 elements).
core::Result<Element> parse(std::string_view document);

// Writes a document element by element. Usage:
//   Writer w; w.open("Error").element("Code", "NoSuchBucket").close(); w.str();
class Writer {
 public:
  Writer& declaration();
  Writer& open(std::string_view name, std::string_view xmlns = {});
  Writer& element(std::string_view name, std::string_view text);
  Writer& close();
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace aws::xml
