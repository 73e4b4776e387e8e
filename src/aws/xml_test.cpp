#include "aws/xml.h"

#include <gtest/gtest.h>

namespace aws::xml {
namespace {

TEST(Xml, ParsesElementsTextAttributesAndNamespaces) {
  auto doc = parse(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<a:Root xmlns:a="urn:x" kind='k &amp; q'>
  <Item>one</Item>
  <Item><![CDATA[<two> & more]]></Item>
  <Empty/>
  <Mixed>x<!-- c -->y</Mixed>
</a:Root>)");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->name, "Root");
  ASSERT_EQ(doc->attributes.size(), 2u);
  EXPECT_EQ(doc->attributes[1].second, "k & q");
  const auto items = doc->children_named("Item");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]->text, "one");
  EXPECT_EQ(items[1]->text, "<two> & more");
  EXPECT_EQ(doc->child_text("Empty"), "");
  EXPECT_EQ(doc->child_text("Mixed"), "xy");
  EXPECT_EQ(doc->child_text("Missing"), "");
  EXPECT_EQ(doc->child("Missing"), nullptr);
}

TEST(Xml, DecodesEntitiesAndCharacterReferences) {
  auto doc = parse("<r>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x20AC;&#128512;</r>");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text, "<>&\"'AB\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Xml, RejectsMalformedDocuments) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&bogus;</a>",
                          "<a x=1/>", "<a/><b/>", "<a>&#xZZ;</a>", "<a><![CDATA[x</a>"}) {
    EXPECT_FALSE(parse(bad).ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<a>";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  EXPECT_FALSE(parse(deep).ok());
}

TEST(Xml, WriterEscapesAndNests) {
  Writer w;
  w.declaration().open("Root", "urn:ns").element("A", "x<y & \"z\"").open("B").close().close();
  EXPECT_EQ(w.str(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Root xmlns=\"urn:ns\">"
            "<A>x&lt;y &amp; &quot;z&quot;</A><B></B></Root>");
  auto back = parse(w.str());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->child_text("A"), "x<y & \"z\"");
}

}  // namespace
}  // namespace aws::xml
