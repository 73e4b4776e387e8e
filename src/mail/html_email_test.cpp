#include "mail/html_email.h"

#include <gtest/gtest.h>

namespace mail {
namespace {

TEST(HtmlEmail, WrapsTheBodyInTheProductLayoutAndEscapesPlainText) {
  const std::string html =
      render_html_email({.heading = "Confirm <your> e-mail",
                         .body_html = email_paragraph("Hi O'Brien & co,") +
                                      email_button("Confirm", "https://example.com/verify?a=1&b=2"),
                         .footer = "You get this because you signed up."});
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_NE(html.find("Marketlink"), std::string::npos);
  EXPECT_NE(html.find("#16202e"), std::string::npos);  // the brand bar
  EXPECT_NE(html.find("Confirm &lt;your&gt; e-mail"), std::string::npos);
  EXPECT_NE(html.find("Hi O&#39;Brien &amp; co,"), std::string::npos);
  EXPECT_NE(html.find("href=\"https://example.com/verify?a=1&amp;b=2\""), std::string::npos);
  EXPECT_NE(html.find("You get this because you signed up."), std::string::npos);
  EXPECT_EQ(html.find("<your>"), std::string::npos);
}

}  // namespace
}  // namespace mail
