// A strict reader of multipart/form-data bodies (RFC 7578): the file inputs of HTML forms.
//
// Accepted: the boundary from the Content-Type (token or quoted string, 1–70 characters), parts
// delimited by CRLF "--boundary", each with CRLF-terminated headers, a Content-Disposition of
// form-data with a name, and an optional filename and Content-Type. A preamble and an epilogue
// are ignored, as the RFC asks. Refused (invalid, slug invalid_multipart): another content type,
// a missing or malformed boundary, bare-LF line breaks, a part without a name, headers that do
// not end, a missing final delimiter. Refused with slug too_large: more parts, or a part larger,
// than the limits allow.
//
// Pure functions of their arguments; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace http {

struct MultipartPart {
  std::string name;          // the form field's name
  std::string filename;      // the uploaded file's name; "" for a plain field
  std::string content_type;  // the part's Content-Type; "" when it has none
  std::string_view body;     // a view into the parsed body: valid while that lives
};

struct MultipartLimits {
  size_t max_parts = 32;
  // Largest part body (a file), in bytes.
  size_t max_part_bytes = size_t{64} * 1024 * 1024;
  // Largest header block of one part, in bytes.
  size_t max_header_bytes = size_t{8} * 1024;
};

// The boundary named by a multipart/form-data Content-Type header value.
core::Result<std::string> multipart_boundary(std::string_view content_type);

// The parts of `body`, in order. Their bodies point into `body`: keep it alive meanwhile.
core::Result<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                         std::string_view body,
                                                         const MultipartLimits& limits = {});

// The first part named `name`, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace http
