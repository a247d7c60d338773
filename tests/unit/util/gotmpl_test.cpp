// Expected texts are Go's (text/template and fmt of Go 1.19, as docker 20.10 is built with),
// checked by running the same templates through Go (docker inspect -f on this machine's docker
// CLI).

#include <gtest/gtest.h>

#include "ferry/util/gotmpl/fmt.hpp"
#include "ferry/util/gotmpl/go_decl.hpp"
#include "ferry/util/gotmpl/template.hpp"

namespace ferry::gotmpl {
namespace {

const Type* test_type() {
    static const Type* t = [] {
        auto r = declare_types(R"go(
type test.Inner struct {
	X string
}
type test.S struct {
	Name  string
	N     int
	L     []string
	M     map[string]string
	P     *test.Inner
	test.Inner
	F     float64
	U     uint64
	B     bool
	Any   interface{}
}
)go");
        EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
        return lookup_type("test.S");
    }();
    return t;
}

Value sample() {
    const Type* t = test_type();
    const Type* strings = slice_of(string_type());
    std::vector<Value> fields = {
        Value::of_string("box"),
        Value::of_int(3),
        Value::of_slice(strings,
                        {Value::of_string("a"), Value::of_string("b"), Value::of_string("c")}),
        Value::of_map(map_of(string_type(), string_type()),
                      {{Value::of_string("z"), Value::of_string("1")},
                       {Value::of_string("k"), Value::of_string("2")}}),
        Value::zero(t->fields[4].type),
        Value::of_struct(lookup_type("test.Inner"), {Value::of_string("in")}),
        Value::of_float(1.5),
        Value::of_uint(7),
        Value::of_bool(true),
        Value::of_interface(Value()),
    };
    return Value::of_struct(t, std::move(fields));
}

std::string run(std::string_view text, MissingKey missing = MissingKey::invalid) {
    auto t = Template::parse(text);
    if (!t) return "PARSE: " + t.error().message;
    auto out = t->execute(sample(), missing);
    if (!out) return "EXEC: " + out.error().message;
    return *out;
}

TEST(GoTemplate, ParseErrorsAreGos) {
    EXPECT_EQ(run("{{foo}}"), "PARSE: template: :1: function \"foo\" not defined");
    EXPECT_EQ(run("{{.Name"), "PARSE: template: :1: unclosed action");
    EXPECT_EQ(run("{{if}}"), "PARSE: template: :1: missing value for if");
    EXPECT_EQ(run("{{end}}"), "PARSE: template: :1: unexpected {{end}}");
    EXPECT_EQ(run("{{else}}"), "PARSE: template: :1: unexpected {{else}}");
    EXPECT_EQ(run("{{range .L}}"), "PARSE: template: :1: unexpected EOF");
    EXPECT_EQ(run("{{$x}}"), "PARSE: template: :1: undefined variable \"$x\"");
    EXPECT_EQ(run("a\n{{break}}"), "PARSE: template: :2: {{break}} outside {{range}}");
    EXPECT_EQ(run("{{/* x"), "PARSE: template: :1: unclosed comment");
    EXPECT_EQ(run("{{(1}}"), "PARSE: template: :1: unclosed left paren");
    EXPECT_EQ(run("{{1)}}"), "PARSE: template: :1: unexpected right paren");
    EXPECT_EQ(run("{{.Name | 1}}"),
              "PARSE: template: :1: non executable command in pipeline stage 2");
    EXPECT_EQ(run("{{\"a}}"), "PARSE: template: :1: unterminated quoted string");
    EXPECT_EQ(run("{{3x}}"), "PARSE: template: :1: bad number syntax: \"3x\"");
    EXPECT_EQ(run("{{#}}"), "PARSE: template: :1: unexpected \"#\" in command");
    EXPECT_EQ(run("{{range $a, $b, $c := .L}}{{end}}"),
              "PARSE: template: :1: too many declarations in range");
    EXPECT_EQ(run("{{1.}}{{.Name.}}"), "PARSE: template: :1: unexpected <.> in operand");
    EXPECT_EQ(run("{{\"a\".X}}"), "PARSE: template: :1: unexpected . after term \"\\\"a\\\"\"");
}

TEST(GoTemplate, FieldsVariablesAndControl) {
    EXPECT_EQ(run("{{.Name}}/{{.N}}/{{.L}}/{{.M}}/{{.P}}/{{.X}}/{{.F}}/{{.U}}/{{.B}}/{{.Any}}"),
              "box/3/[a b c]/map[k:2 z:1]/<nil>/in/1.5/7/true/<no value>");
    EXPECT_EQ(run("{{.}}"), "{box 3 [a b c] map[k:2 z:1] <nil> {in} 1.5 7 true <nil>}");
    EXPECT_EQ(run("{{.M.k}}|{{.M.nope}}|{{index .M \"nope\"}}|"), "2|<no value>||");
    EXPECT_EQ(run("{{$x := 0}}{{range .L}}{{$x = .}}{{end}}{{$x}}"), "c");
    EXPECT_EQ(run("{{range $i, $v := .L}}{{$i}}={{$v}} {{end}}"), "0=a 1=b 2=c ");
    EXPECT_EQ(run("{{range $k, $v := .M}}{{$k}}{{$v}}{{end}}"), "k2z1");
    EXPECT_EQ(run("{{range .Any}}x{{else}}empty{{end}}"), "empty");
    EXPECT_EQ(run("{{range .L}}{{if eq . \"b\"}}{{continue}}{{end}}{{if eq . "
                  "\"c\"}}{{break}}{{end}}{{.}}{{end}}"),
              "a");
    EXPECT_EQ(run("{{range 3}}{{.}}{{end}}"),  // Go 1.19, as docker 20.10
              "EXEC: template: :1:8: executing \"\" at <3>: range can't iterate over 3");
    EXPECT_EQ(run("{{if .Any}}a{{else if .N}}n{{else}}e{{end}}"), "n");
    EXPECT_EQ(run("{{with .P}}p{{else}}{{with .Inner}}{{.X}}{{end}}{{end}}"), "in");
    EXPECT_EQ(run("{{with .P}}p{{else with .Inner}}{{.X}}{{end}}"),
              "PARSE: template: :1: unexpected <with> in else");
    EXPECT_EQ(run("a  {{- .N -}}  b {{/* gone */}} {{- \"c\"}}"), "a3b c");
    EXPECT_EQ(run("a {{- /* gone */ -}} b"), "ab");
    EXPECT_EQ(run("{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .Name}}"), "<box>");
    EXPECT_EQ(run("{{(index .L 1)}}{{len .L}}{{slice .Name 1 2}}{{index .Name 0}}"), "b3o98");
    EXPECT_EQ(run("{{and 0 (index .L 99)}}|{{or 1 (index .L 99)}}|{{and 1 \"x\"}}|{{not .B}}"),
              "0|1|x|false");
    EXPECT_EQ(run("{{eq .U 7}} {{eq .N 1 2 3}} {{lt .Name \"c\"}} {{ge .F 1.5}} {{ne .B false}}"),
              "true true true true true");
    EXPECT_EQ(run("{{1.5}} {{1e6}} {{0x10}} {{'a'}} {{-3}} {{1.0}} {{123456789.0}}"),
              "1.5 1e+06 16 97 -3 1 1.23456789e+08");
    EXPECT_EQ(run("{{html \"<a&'>\"}} {{js \"a'b<\"}} {{urlquery \"a b&\"}}"),
              "&lt;a&amp;&#39;&gt; a\\'b\\u003C a+b%26");
    EXPECT_EQ(run("{{print 1 2 \"a\" \"b\" 3}}|{{println 1 \"a\"}}|"), "1 2ab3|1 a\n|");
}

TEST(GoTemplate, ExecutionErrorsAreGos) {
    EXPECT_EQ(run("{{.Nope}}"),
              "EXEC: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type "
              "test.S");
    EXPECT_EQ(
        run("x\n {{.P.X}}"),
        "EXEC: template: :2:5: executing \"\" at <.P.X>: nil pointer evaluating *test.Inner.X");
    EXPECT_EQ(
        run("{{.M.nope}}", MissingKey::error),
        "EXEC: template: :1:4: executing \"\" at <.M.nope>: map has no entry for key \"nope\"");
    EXPECT_EQ(run("{{index .L 5}}"),
              "EXEC: template: :1:2: executing \"\" at <index .L 5>: error calling index: index "
              "out of range: 5");
    EXPECT_EQ(run("{{lt 1 2.0}}"),
              "EXEC: template: :1:2: executing \"\" at <lt 1 2.0>: error calling lt: incompatible "
              "types for comparison");
    EXPECT_EQ(
        run("{{len .N}}"),
        "EXEC: template: :1:2: executing \"\" at <len .N>: error calling len: len of type int");
    EXPECT_EQ(run("{{nil}}"),
              "EXEC: template: :1:2: executing \"\" at <nil>: nil is not a command");
    EXPECT_EQ(run("{{.Name 1}}"),
              "EXEC: template: :1:2: executing \"\" at <.Name>: Name has arguments but cannot be "
              "invoked as function");
    EXPECT_EQ(run("{{printf 1}}"),
              "EXEC: template: :1:9: executing \"\" at <1>: expected string; found 1");
    EXPECT_EQ(run("{{index .M 1}}"),
              "EXEC: template: :1:2: executing \"\" at <index .M 1>: error calling index: value "
              "has type int; should be string");
    EXPECT_EQ(
        run("{{range .M.k .N}}{{end}}"),
        "EXEC: template: :1:10: executing \"\" at <.M.k>: k is not a method but has arguments");
}

TEST(GoTemplate, DepthIsBounded) {
    std::string deep = "{{" + std::string(2000, '(') + "1" + std::string(2000, ')') + "}}";
    EXPECT_EQ(run(deep), "PARSE: template: :1: max expression depth exceeded");
    EXPECT_EQ(run("{{define \"T\"}}{{template \"T\" .}}{{end}}{{template \"T\" .}}"),
              "EXEC: template: :1:25: executing \"T\" at <{{template \"T\" .}}>: exceeded maximum "
              "template depth (1000)");
}

TEST(GoFmt, VerbsFlagsAndMisuse) {
    auto f = [](std::string_view format, std::vector<Value> args) { return sprintf(format, args); };
    EXPECT_EQ(f("%5.2f|%-5d|%05d|%+d|%x|%X|%o|%b",
                {Value::of_float(3.14159), Value::of_int(42), Value::of_int(-42), Value::of_int(5),
                 Value::of_int(255), Value::of_int(255), Value::of_int(8), Value::of_int(5)}),
              " 3.14|42   |-0042|+5|ff|FF|10|101");
    EXPECT_EQ(f("%q %x %-4s| %.2s %c %U",
                {Value::of_string("a\"b\n"), Value::of_string("hi"), Value::of_string("ab"),
                 Value::of_string("héllo"), Value::of_int(65), Value::of_int(9731)}),
              "\"a\\\"b\\n\" 6869 ab  | hé A U+2603");
    EXPECT_EQ(f("%e %g %v %v %v",
                {Value::of_float(1234.5678), Value::of_float(0.00001), Value::of_float(1e21),
                 Value::of_float(100000), Value::of_float(-0.5)}),
              "1.234568e+03 1e-05 1e+21 100000 -0.5");
    EXPECT_EQ(f("%d|%s %s|%s", {Value::of_string("x"), Value::of_string("a")}),
              "%!d(string=x)|a %!s(MISSING)|%!s(MISSING)");
    EXPECT_EQ(f("%s", {Value::of_string("a"), Value::of_int(3)}), "a%!(EXTRA int=3)");
    EXPECT_EQ(f("%t %v %T %%", {Value::of_bool(true), Value(), Value::of_int(1)}),
              "true <nil> int %");
    EXPECT_EQ(f("%+v", {sample().elems()[5]}), "{X:in}");
    EXPECT_EQ(f("%s", {Value::of_int(3)}), "%!s(int=3)");
    EXPECT_EQ(quote("\x01é\u2028"), "\"\\x01é\\u2028\"");
    EXPECT_EQ(format_float_shortest(123456), "123456");
    EXPECT_EQ(format_float_shortest(1234567), "1.234567e+06");
    EXPECT_EQ(format_float_shortest(0.0001), "0.0001");
}

TEST(GoDecl, ReadsDeclarationsAndRefusesUnknownTypes) {
    const Type* s = test_type();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->fields.size(), 10u);
    EXPECT_TRUE(s->fields[5].embedded);
    EXPECT_EQ(s->fields[5].name, "Inner");
    EXPECT_EQ(field_path(s, "X"), (std::vector<size_t>{5, 0}));
    auto bad = declare_types("type test.Bad struct {\n\tA test.Missing\n}\n");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "go types: `test.Missing` is used but not declared");
    auto arr = declare_types("type test.Arr struct {\n\tA [2]uint\n}\n");
    ASSERT_TRUE(arr);
    EXPECT_EQ(print_value(Value::zero(lookup_type("test.Arr"))), "{[0 0]}");
}

}  // namespace
}  // namespace ferry::gotmpl
