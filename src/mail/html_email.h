// The HTML part of Marketlink's e-mails: the product's look (dark brand bar, a white card on a
// light grey background, the accent colour for buttons) in the plain, inline-styled table layout
// that mail clients render. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace mail {

struct HtmlEmail {
  std::string heading;    // plain text (escaped here), shown at the top of the card
  std::string body_html;  // trusted HTML: escape anything a user typed with core::escape_html()
  std::string footer;     // plain text under the card, e.g. why the reader got this e-mail
};

// A whole HTML document for Message::html_body.
std::string render_html_email(const HtmlEmail& email);
// A paragraph of plain text, escaped.
std::string email_paragraph(std::string_view text);
// A link styled as the product's primary button; `url` should be absolute (https://…).
std::string email_button(std::string_view label, std::string_view url);

}  // namespace mail
