#pragma once
// Go's fmt over template values: Sprint, Sprintln, Sprintf (verbs %v %+v %s %q %d %x %X %o %b %c
// %U %e %E %f %F %g %G %t %p %T %%, flags - + # 0 space, width and precision, `*` included), with
// Go's words for misuse (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`), and strconv's
// Quote and shortest float formatting that they rest on.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "ferry/util/gotmpl/value.hpp"

namespace ferry::gotmpl {

// fmt.Sprint: operands printed with %v, a space between two operands when neither is a string.
std::string sprint(std::span<const Value> args);
// fmt.Sprintln: operands printed with %v, always separated by spaces, then a newline.
std::string sprintln(std::span<const Value> args);
// fmt.Sprintf.
std::string sprintf(std::string_view format, std::span<const Value> args);
// fmt.Sprint of one value.
std::string print_value(const Value& v);

// Decodes one UTF-8 rune at s[i] as Go's utf8.DecodeRuneInString: {rune, width}, rune -1 for an
// invalid or truncated sequence (width 1).
std::pair<int32_t, size_t> decode_rune(std::string_view s, size_t i);
// Appends the UTF-8 encoding of code point r (the parser's escapes, fmt's %c and %q).
void append_utf8(std::string& out, uint32_t r);
// strconv.Quote: Go's double-quoted form (\n, \t, \x00, \u2028 escapes; printable UTF-8 kept).
std::string quote(std::string_view s);
// strconv.FormatFloat(f, 'g', -1, 64): the shortest form that reads back as f (1e+06, 0.5).
std::string format_float_shortest(double f);

}  // namespace ferry::gotmpl
