// Private to src/web: what every server-rendered page does with forms — read a urlencoded body,
// and show an error next to its field with a summary at the top (the form_errors partial).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "http/templates.h"

namespace web {

// The fields of an application/x-www-form-urlencoded body.
class Form {
 public:
  explicit Form(const http::Request& request);
  // The first value of `key`, or "".
  std::string operator[](const std::string& key) const;
  // Every value of `key` (checkboxes of one name), in order.
  std::vector<std::string> all(const std::string& key) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Sets has_errors, error_message and error_list for the form_errors partial, and
// "<field>_error" for each detail of `error` (its field's message next to the input).
void set_errors(http::TemplateData& data, const core::Error& error);

}  // namespace web
