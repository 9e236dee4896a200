#include "roles/common/json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace harrier::json {
namespace {

TEST(Json, WriterAndParserRoundTrip) {
  Writer w;
  w.field("role", "ingest").field("pid", 42).field("lag", 1.5).field("ok", true);
  w.field("nan", std::nan(""));
  w.field("quote\"d", "a\nb\\c");
  w.begin_object("nested").field("n", std::uint64_t{18446744073709551615ull}).end_object();
  std::string text = w.finish();
  auto v = parse(text);
  ASSERT_TRUE(v) << v.error().to_string() << " in " << text;
  EXPECT_EQ(v->string_at("role"), "ingest");
  EXPECT_EQ(v->number_at("pid"), 42);
  EXPECT_EQ(v->number_at("lag"), 1.5);
  EXPECT_EQ(v->find("ok")->boolean, true);
  EXPECT_EQ(v->find("nan")->kind, Value::Kind::kNull);
  EXPECT_EQ(v->string_at("quote\"d"), "a\nb\\c");
  ASSERT_NE(v->find("nested"), nullptr);
  EXPECT_EQ(v->find("nested")->number_at("n"), 18446744073709551615.0);
}

TEST(Json, RejectsBadDocuments) {
  for (const char* bad : {"", "{", "{\"a\":}", "{\"a\":1,}", "[1,2", "\"abc", "{} x", "tru",
                          "{\"a\":\"\\q\"}", "1e999"}) {
    auto v = parse(bad);
    EXPECT_FALSE(v) << bad;
  }
  std::string deep(40, '[');
  deep += std::string(40, ']');
  auto v = parse(deep);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("deeper"), std::string::npos);
}

TEST(Json, ArraysAndUnicodeEscapes) {
  auto v = parse(R"({"a":[1,"x",null,false,{"b":-2e3}],"u":"\u00e9"})");
  ASSERT_TRUE(v);
  const Value* a = v->find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 5u);
  EXPECT_EQ(a->array[4].number_at("b"), -2000);
  EXPECT_EQ(v->string_at("u"), "\xC3\xA9");
}

}  // namespace
}  // namespace harrier::json
