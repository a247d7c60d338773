#include "ferry/oci/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ferry {
namespace {

std::string go(const Json& j) {
    return to_go_json(j);
}

std::string go_string(std::string_view s) {
    std::string out;
    append_go_string(out, s);
    return out;
}

TEST(Json, ParseErrors) {
    EXPECT_EQ(parse_json("{").error().message, "malformed JSON");
    EXPECT_EQ(parse_json("").error().message, "malformed JSON");
    EXPECT_EQ(parse_json("{} x").error().message, "malformed JSON");
    EXPECT_EQ(parse_json("{\"a\":1,}").error().message, "malformed JSON");
    EXPECT_EQ(parse_json("// c\n{}").error().message, "malformed JSON");
    EXPECT_EQ(parse_json("\"\xff\"").error().message, "malformed JSON");
    EXPECT_EQ(parse_json(std::string(20, ' ') + "{}", 16).error().message,
              "JSON document larger than 16 bytes");
    EXPECT_TRUE(parse_json(" {} ", 4));
    std::string deep(65, '[');
    deep += std::string(65, ']');
    EXPECT_EQ(parse_json(deep).error().message, "JSON nesting deeper than 64 levels");
    std::string ok(64, '[');
    ok += std::string(64, ']');
    EXPECT_TRUE(parse_json(ok));
    // Brackets inside strings do not count.
    EXPECT_TRUE(parse_json("{\"a\":\"" + std::string(100, '[') + "\\\"\"}"));
}

TEST(Json, ParseKeepsKeyOrderAndLastDuplicate) {
    auto j = parse_json(R"({"b":1,"a":2,"b":3})").value();
    EXPECT_EQ(go(j), R"({"b":3,"a":2})");
}

TEST(Json, GoEscaping) {
    // What docker wrote for `docker import -m 'hello & <world>' -c 'ENV A=b<c'`.
    EXPECT_EQ(go_string("hello & <world>"), R"("hello \u0026 \u003cworld\u003e")");
    EXPECT_EQ(go_string("A=b<c"), R"("A=b\u003cc")");
    EXPECT_EQ(go_string("q\"b\\s/"), R"("q\"b\\s/")");
    EXPECT_EQ(go_string("\n\r\t"), R"("\n\r\t")");
    EXPECT_EQ(go_string(std::string("\0\x01\x08\x0c\x1f", 5)),
              R"("\u0000\u0001\u0008\u000c\u001f")");
    EXPECT_EQ(go_string("\x7f"), "\"\x7f\"");
    EXPECT_EQ(go_string("é中😀"), "\"é中😀\"");
    EXPECT_EQ(go_string("\u2028\u2029"), R"("\u2028\u2029")");
    // Invalid UTF-8: each bad byte becomes U+FFFD, as Go does.
    EXPECT_EQ(go_string("a\xff"
                        "b"),
              R"("a\ufffdb")");
    EXPECT_EQ(go_string("\xc3"), R"("\ufffd")");
    EXPECT_EQ(go_string("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong
    EXPECT_EQ(go_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
    EXPECT_EQ(go_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(Json, GoNumbersAndStructure) {
    Json j = Json::object();
    j["i"] = -5;
    j["u"] = uint64_t{18446744073709551615u};
    j["f"] = 1.5;
    j["big"] = 1e21;
    j["small"] = 1e-7;
    j["mid"] = 0.000001;
    j["whole"] = 100.0;
    j["n"] = nullptr;
    j["t"] = true;
    j["a"] = Json::array({1, "x", Json::object()});
    j["o"] = Json::object();
    EXPECT_EQ(go(j), R"({"i":-5,"u":18446744073709551615,"f":1.5,"big":1e+21,"small":1e-7,)"
                     R"("mid":0.000001,"whole":100,"n":null,"t":true,"a":[1,"x",{}],"o":{}})");
}

TEST(Json, ParseSerialiseRoundTrip) {
    const std::string docs[] = {
        R"({"schemaVersion":2,"manifests":[{"mediaType":)"
        R"("application/vnd.oci.image.manifest.v1+json","digest":"sha256:)"
        R"(e68ea5d8feacf3929bc92ede1adeec7b9253c6cd6df968cf3d3513c77c85417e","size":192,)"
        R"("annotations":{"org.opencontainers.image.ref.name":"t"}}]})",
        R"({"a":"\u003c\u0026\u003e","b":[null,true,false,-1,0]})",
    };
    for (const auto& d : docs)
        EXPECT_EQ(go(parse_json(d).value()), d);
}

TEST(Json, UnknownFields) {
    auto j = parse_json(R"({"a":1,"x":2,"b":3,"y":[4]})").value();
    EXPECT_EQ(go(unknown_fields(j, {"a", "b"})), R"({"x":2,"y":[4]})");
    EXPECT_EQ(go(unknown_fields(Json::array(), {"a"})), "{}");
}

TEST(Json, Rfc3339AsGoAcceptsIt) {
    const char* good[] = {"2026-11-28T10:23:34.71146081Z", "2026-11-28T10:23:34Z",
                          "0001-01-01T00:00:00Z",          "2024-02-29T23:59:59+14:00",
                          "2000-02-29T00:00:00.5-07:30",   "9999-12-31T23:59:59.123456789123Z"};
    for (const char* s : good)
        EXPECT_TRUE(is_rfc3339(s)) << s;
    const char* bad[] = {"",
                         "yesterday",
                         "2026-11-28",
                         "2026-11-28 10:23:34Z",
                         "2026-11-28t10:23:34Z",
                         "2026-11-28T10:23:34z",
                         "2026-11-28T10:23:34",
                         "2026-11-28T10:23:34.Z",
                         "2026-13-28T10:23:34Z",
                         "2023-02-29T10:23:34Z",
                         "2026-04-31T10:23:34Z",
                         "2026-11-28T24:00:00Z",
                         "2026-11-28T10:60:00Z",
                         "2026-11-28T10:23:60Z",
                         "2026-11-28T10:23:34+0100",
                         "2026-11-28T10:23:34+01:00x",
                         "2026-1-28T10:23:34Z",
                         "+2026-11-28T10:23:34Z"};
    for (const char* s : bad)
        EXPECT_FALSE(is_rfc3339(s)) << s;
}

TEST(JsonObject, RootMustBeAnObject) {
    auto doc = parse_json("[1]").value();
    EXPECT_EQ(JsonObject::view(doc).error().message, "expected a JSON object");
    EXPECT_EQ(JsonObject::view(doc, "config").error().message,
              "field `config`: expected an object");
    EXPECT_EQ(view_object_array(Json::object(), "").error().message, "expected a JSON array");
    EXPECT_EQ(view_object_array(Json::object(), "layers").error().message,
              "field `layers`: expected an array");
    EXPECT_EQ(view_object_array(parse_json("[{},1]").value(), "layers").error().message,
              "field `layers[1]`: expected an object");
}

TEST(JsonObject, Fields) {
    auto doc = parse_json(R"({
        "s": "x", "i": 42, "neg": -1, "big": 18446744073709551615, "f": 1.5, "b": true,
        "n": null, "arr": ["a", "b"], "mixed": ["a", 1], "map": {"k": "v"}, "badmap": {"k": 1},
        "set": {"80/tcp": {}, "53/udp": {}}, "obj": {"inner": {"deep": 7}},
        "objs": [{"digest": "d"}, {"digest": 5}]
    })")
                   .value();
    auto o = JsonObject::view(doc).value();
    EXPECT_EQ(o.required_string("s").value(), "x");
    EXPECT_EQ(o.required_string("missing").error().message, "missing field `missing`");
    EXPECT_EQ(o.required_string("n").error().message, "missing field `n`");
    EXPECT_EQ(o.required_string("i").error().message, "field `i`: expected a string");
    EXPECT_FALSE(o.optional_string("n").value());
    EXPECT_EQ(o.string_or_empty("missing").value(), "");
    EXPECT_EQ(o.required_int("i").value(), 42);
    EXPECT_EQ(o.required_int("neg").value(), -1);
    EXPECT_EQ(o.required_int("big").error().message, "field `big`: integer out of range");
    EXPECT_EQ(o.required_int("f").error().message, "field `f`: expected an integer");
    EXPECT_EQ(o.required_int("s").error().message, "field `s`: expected an integer");
    EXPECT_EQ(o.optional_bool("b").value(), true);
    EXPECT_EQ(o.optional_bool("s").error().message, "field `s`: expected a boolean");
    EXPECT_EQ(o.optional_string_array("arr").value(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(o.optional_string_array("mixed").error().message,
              "field `mixed`: expected an array of strings");
    EXPECT_EQ(o.optional_string_array("s").error().message,
              "field `s`: expected an array of strings");
    EXPECT_EQ(o.optional_string_map("map").value()->at("k"), "v");
    EXPECT_EQ(o.optional_string_map("badmap").error().message,
              "field `badmap`: expected an object of strings");
    EXPECT_EQ(o.optional_key_set("set").value(), (std::vector<std::string>{"80/tcp", "53/udp"}));
    EXPECT_EQ(o.optional_key_set("arr").error().message, "field `arr`: expected an object");
    auto inner = o.required_object("obj").value().required_object("inner").value();
    EXPECT_EQ(inner.path(), "obj.inner");
    EXPECT_EQ(inner.required_string("deep").error().message,
              "field `obj.inner.deep`: expected a string");
    EXPECT_EQ(inner.required_object("x").error().message, "missing field `obj.inner.x`");
    EXPECT_EQ(o.required_object("s").error().message, "field `s`: expected an object");
    auto objs = o.required_object_array("objs").value();
    ASSERT_EQ(objs.size(), 2u);
    EXPECT_EQ(objs[1].required_string("digest").error().message,
              "field `objs[1].digest`: expected a string");
    EXPECT_EQ(o.required_object_array("missing").error().message, "missing field `missing`");
    EXPECT_TRUE(o.optional_object_array("missing").value().empty());
    EXPECT_EQ(o.field_error("s", "bad").error().message, "field `s`: bad");
}

}  // namespace
}  // namespace ferry
