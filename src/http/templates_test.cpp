#include "http/templates.h"

#include <gtest/gtest.h>

namespace http {
namespace {

const core::EmbeddedFile kFiles[] = {
    {"layout.mustache", "<title>{{title}}</title><main>{{{content}}}</main>{{> footer}}"},
    {"hello.mustache", "<p>Hello {{name}}</p>"},
    {"footer.mustache", "<footer>{{product}}</footer>"},
    {"notes.txt", "not a template"},
};

TEST(Templates, RendersPagesInTheLayoutWithPartialsAndEscaping) {
  auto t = Templates::load(kFiles);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE((*t)->has("notes"));
  TemplateData d;
  d.set("title", "Hi");
  d.set("name", "<b>Ann</b>");
  d.set("product", "Marketlink");
  auto page = (*t)->render_page("hello", d);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page,
            "<title>Hi</title><main><p>Hello "
            "&lt;b&gt;Ann&lt;/b&gt;</p></main><footer>Marketlink</footer>");
}

TEST(Templates, UnknownTemplateIsAnInternalError) {
  auto t = Templates::load(kFiles);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->render("missing", TemplateData());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kInternal);
}

TEST(Templates, BrokenTemplateFailsToLoad) {
  const core::EmbeddedFile broken[] = {{"bad.mustache", "{{#open}} never closed"}};
  EXPECT_FALSE(Templates::load(broken).ok());
}

TEST(Templates, AddedSetsRenderInTheSameLayoutAndMayNotReuseAName) {
  auto t = Templates::load(kFiles);
  ASSERT_TRUE(t.ok());
  const core::EmbeddedFile more[] = {{"bye.mustache", "<p>Bye {{name}}</p>{{> footer}}"}};
  ASSERT_TRUE((*t)->add(more).ok());
  TemplateData d;
  d.set("title", "T");
  d.set("name", "Ann");
  d.set("product", "M");
  auto page = (*t)->render_page("bye", d);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page,
            "<title>T</title><main><p>Bye Ann</p><footer>M</footer></main><footer>M</footer>");

  const core::EmbeddedFile clash[] = {{"ok.mustache", "fine"}, {"hello.mustache", "again"}};
  EXPECT_EQ((*t)->add(clash).error().code, core::ErrorCode::kInternal);
  EXPECT_FALSE((*t)->has("ok")) << "nothing of a refused set is added";
}

}  // namespace
}  // namespace http
