#include "mail/html_email.h"

#include "core/text.h"

#include <fmt/format.h>

namespace mail {

namespace {

// Colours and fonts of src/web/static/app.css, inlined because mail clients ignore stylesheets.
constexpr const char* kFont =
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";

constexpr const char* kLayout = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
</head>
<body style="margin:0;padding:0;background:#f4f6f9;{font};color:#1d232b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f6f9">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%">
<tr><td style="background:#16202e;color:#e9eef5;padding:14px 24px;border-radius:6px 6px 0 0;{font};font-size:17px;font-weight:650;letter-spacing:0.01em">
<span style="display:inline-block;width:14px;height:14px;border-radius:4px;background:#1f5fbf;vertical-align:-1px;margin-right:8px"></span>Marketlink
</td></tr>
<tr><td style="background:#ffffff;border:1px solid #d9dee5;border-top:0;border-radius:0 0 6px 6px;padding:24px;{font};font-size:15px;line-height:1.5;color:#1d232b">
<h1 style="margin:0 0 16px;font-size:21px;font-weight:650;color:#1d232b">{heading}</h1>
{body}
</td></tr>
<tr><td style="padding:16px 24px;{font};font-size:13px;line-height:1.5;color:#5a6472">{footer}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
)";

}  // namespace

std::string render_html_email(const HtmlEmail& email) {
  return fmt::format(kLayout, fmt::arg("heading", core::escape_html(email.heading)),
                     fmt::arg("font", kFont), fmt::arg("body", email.body_html),
                     fmt::arg("footer", core::escape_html(email.footer)));
}

std::string email_paragraph(std::string_view text) {
  return "<p style=\"margin:0 0 16px\">" + core::escape_html(text) + "</p>\n";
}

std::string email_button(std::string_view label, std::string_view url) {
  return fmt::format(
      "<p style=\"margin:8px 0 20px\"><a href=\"{}\" style=\"display:inline-block;"
      "background:#1f5fbf;color:#ffffff;text-decoration:none;font-weight:600;padding:10px 18px;"
      "border-radius:6px;border:1px solid #1f5fbf;{}\">{}</a></p>\n",
      core::escape_html(url), kFont, core::escape_html(label));
}

}  // namespace mail
