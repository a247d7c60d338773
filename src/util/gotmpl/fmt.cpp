// A transcription of the parts of Go's fmt (print.go, format.go) that templates reach. Printing
// walks the value as printValue does: Stringer types print their String() for %v %s %q %x %X;
// maps print sorted, structs as {f1 f2}; a pointer prints as &{...} only at the top and as an
// address below it (Go prints the real address there; here it is a fixed 0xc000010000-style
// number, since no script can depend on one). Widths count runes, as Go's do.

#include "ferry/util/gotmpl/fmt.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ferry::gotmpl {

namespace {

size_t rune_count(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++n)
        i += decode_rune(s, i).second;
    return n;
}

bool is_print(int32_t r) {
    if (r < 0x20 || r == 0x7F) return false;
    if (r >= 0x80 && r < 0xA0) return false;
    return r != 0xAD && r != 0x2028 && r != 0x2029 && r != 0xFEFF;
}

void append_escaped_rune(std::string& out, int32_t r, char quote_char) {
    char buf[16];
    if (r == quote_char || r == '\\') {
        out += '\\';
        out += static_cast<char>(r);
        return;
    }
    if (is_print(r)) {
        append_utf8(out, static_cast<uint32_t>(r));
        return;
    }
    switch (r) {
        case '\a':
            out += "\\a";
            return;
        case '\b':
            out += "\\b";
            return;
        case '\f':
            out += "\\f";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\v':
            out += "\\v";
            return;
    }
    if (r < 0x20 || r == 0x7F)
        std::snprintf(buf, sizeof buf, "\\x%02x", r);
    else if (r < 0x10000)
        std::snprintf(buf, sizeof buf, "\\u%04x", r);
    else
        std::snprintf(buf, sizeof buf, "\\U%08x", r);
    out += buf;
}

// The flags and width/precision of one verb (fmt's fmtFlags).
struct Flags {
    bool minus = false, plus = false, sharp = false, space = false, zero = false;
    bool plus_v = false, sharp_v = false;
    bool wid_present = false, prec_present = false;
    int wid = 0, prec = 0;
};

class Printer {
  public:
    std::string buf;
    Flags f;

    void print_arg(const Value& arg_in, char32_t verb);
    void print_value(const Value& v, char32_t verb, int depth);

  private:
    Value m_arg;
    bool m_erroring = false;

    void pad(std::string_view s);
    void pad_with_zeros(std::string_view sign_and_prefix, std::string_view digits);
    void bad_verb(char32_t verb);
    bool handle_methods(const Value& v, char32_t verb);
    void fmt_bool(bool b, char32_t verb);
    void fmt_integer(uint64_t u, bool is_signed, char32_t verb);
    void fmt_integer_base(uint64_t u, int base, bool is_signed, bool upper);
    void fmt_float(double d, char32_t verb);
    void fmt_string(const std::string& s, char32_t verb);
    void fmt_pointer(const Value& v, char32_t verb);
    void write_verb(char32_t verb) { append_utf8(buf, verb); }
};

void Printer::pad(std::string_view s) {
    if (!f.wid_present || f.wid == 0) {
        buf += s;
        return;
    }
    size_t n = rune_count(s);
    size_t w = static_cast<size_t>(f.wid);
    if (n >= w) {
        buf += s;
        return;
    }
    if (f.minus) {
        buf += s;
        buf.append(w - n, ' ');
    } else {
        buf.append(w - n, f.zero ? '0' : ' ');
        buf += s;
    }
}

void Printer::pad_with_zeros(std::string_view sign, std::string_view digits) {
    size_t n = sign.size() + digits.size();
    if (f.zero && f.wid_present && !f.minus && n < static_cast<size_t>(f.wid)) {
        buf += sign;
        buf.append(static_cast<size_t>(f.wid) - n, '0');
        buf += digits;
        return;
    }
    std::string all(sign);
    all += digits;
    bool zero = f.zero;
    f.zero = false;
    pad(all);
    f.zero = zero;
}

void Printer::bad_verb(char32_t verb) {
    m_erroring = true;
    buf += "%!";
    write_verb(verb);
    buf += '(';
    Value arg = indirect_interface(m_arg);
    if (arg.valid()) {
        buf += arg.type()->name;
        buf += '=';
        Flags saved = f;
        f = Flags();
        print_arg(arg, 'v');
        f = saved;
        m_arg = arg;
    } else {
        buf += "<nil>";
    }
    buf += ')';
    m_erroring = false;
}

bool Printer::handle_methods(const Value& v, char32_t verb) {
    if (m_erroring || f.sharp_v || !v.valid() || !v.type()->stringer) return false;
    if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') return false;
    fmt_string(v.type()->stringer(v), verb);
    return true;
}

void Printer::print_arg(const Value& arg_in, char32_t verb) {
    Value arg = indirect_interface(arg_in);
    m_arg = arg;
    if (!arg.valid()) {
        if (verb == 'T' || verb == 'v')
            pad("<nil>");
        else
            bad_verb(verb);
        return;
    }
    if (verb == 'T') {
        pad(arg.type()->name);
        return;
    }
    if (verb == 'p') {
        fmt_pointer(arg, 'p');
        return;
    }
    if (handle_methods(arg, verb)) return;
    print_value(arg, verb, 0);
}

void Printer::print_value(const Value& v, char32_t verb, int depth) {
    if (depth > 0 && v.valid()) {
        m_arg = v;  // what a bad verb below names, as Go's p.arg
        if (handle_methods(v, verb)) return;
    }
    if (!v.valid()) {
        if (depth == 0)
            buf += "<invalid reflect.Value>";
        else if (verb == 'v')
            buf += "<nil>";
        else
            bad_verb(verb);
        return;
    }
    switch (v.kind()) {
        case Kind::boolean:
            return fmt_bool(v.as_bool(), verb);
        case Kind::integer:
            return fmt_integer(static_cast<uint64_t>(v.as_int()), true, verb);
        case Kind::unsigned_integer:
            return fmt_integer(v.as_uint(), false, verb);
        case Kind::floating:
            return fmt_float(v.as_float(), verb);
        case Kind::string:
            return fmt_string(v.as_string(), verb);
        case Kind::map: {
            buf += "map[";
            bool first = true;
            for (const auto& [k, val] : v.entries()) {
                if (!first) buf += ' ';
                first = false;
                print_value(k, verb, depth + 1);
                buf += ':';
                print_value(val, verb, depth + 1);
            }
            buf += ']';
            return;
        }
        case Kind::structure: {
            buf += '{';
            const auto& fields = v.elems();
            for (size_t i = 0; i < fields.size(); ++i) {
                if (i > 0) buf += ' ';
                if (f.plus_v) buf += v.type()->fields[i].name + ":";
                print_value(fields[i], verb, depth + 1);
            }
            buf += '}';
            return;
        }
        case Kind::interface: {
            const Value& inner = v.target();
            if (!inner.valid())
                buf += "<nil>";
            else
                print_value(inner, verb, depth + 1);
            return;
        }
        case Kind::slice: {
            buf += '[';
            const auto& elems = v.elems();
            for (size_t i = 0; i < elems.size(); ++i) {
                if (i > 0) buf += ' ';
                print_value(elems[i], verb, depth + 1);
            }
            buf += ']';
            return;
        }
        case Kind::pointer: {
            if (depth == 0 && !v.is_nil()) {
                Kind k = v.target().kind();
                if (k == Kind::slice || k == Kind::structure || k == Kind::map) {
                    buf += '&';
                    print_value(v.target(), verb, depth + 1);
                    return;
                }
            }
            return fmt_pointer(v, verb);
        }
    }
}

void Printer::fmt_pointer(const Value& v, char32_t verb) {
    bool nil = v.kind() != Kind::pointer || v.is_nil();
    uint64_t address = nil ? 0 : 0xc000010000;
    switch (verb) {
        case 'v':
            if (nil)
                pad("<nil>");
            else
                pad("0xc000010000");
            return;
        case 'p':
            pad(nil ? "0x0" : "0xc000010000");
            return;
        case 'b':
        case 'o':
        case 'd':
        case 'x':
        case 'X':
            return fmt_integer(address, false, verb);
        default:
            bad_verb(verb);
    }
}

void Printer::fmt_bool(bool b, char32_t verb) {
    if (verb == 't' || verb == 'v')
        pad(b ? "true" : "false");
    else
        bad_verb(verb);
}

void Printer::fmt_integer(uint64_t u, bool is_signed, char32_t verb) {
    switch (verb) {
        case 'v':
        case 'd':
            return fmt_integer_base(u, 10, is_signed, false);
        case 'b':
            return fmt_integer_base(u, 2, is_signed, false);
        case 'o':
        case 'O':
            return fmt_integer_base(u, 8, is_signed, false);
        case 'x':
            return fmt_integer_base(u, 16, is_signed, false);
        case 'X':
            return fmt_integer_base(u, 16, is_signed, true);
        case 'c': {
            std::string s;
            append_utf8(s, u > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(u));
            return pad(s);
        }
        case 'q': {
            std::string s = "'";
            int32_t r = u > 0x10FFFF ? 0xFFFD : static_cast<int32_t>(u);
            append_escaped_rune(s, r, '\'');
            return pad(s + "'");
        }
        case 'U': {
            char b[32];
            std::snprintf(b, sizeof b, "U+%04llX", static_cast<unsigned long long>(u));
            return pad(b);
        }
        default:
            bad_verb(verb);
    }
}

void Printer::fmt_integer_base(uint64_t u, int base, bool is_signed, bool upper) {
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = -u;
    std::string digits;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits.insert(digits.begin(), set[u % base]);
        u /= base;
    } while (u != 0);
    if (f.prec_present) {
        if (f.prec == 0 && digits == "0") digits.clear();
        while (digits.size() < static_cast<size_t>(f.prec))
            digits.insert(digits.begin(), '0');
    }
    std::string sign;
    if (negative)
        sign = "-";
    else if (f.plus)
        sign = "+";
    else if (f.space)
        sign = " ";
    if (f.sharp) {
        if (base == 16)
            sign += upper ? "0X" : "0x";
        else if (base == 8 && (digits.empty() || digits[0] != '0'))
            sign += "0";
        else if (base == 2)
            sign += "0b";
    }
    if (f.prec_present) {
        bool zero = f.zero;
        f.zero = false;
        pad(sign + digits);
        f.zero = zero;
        return;
    }
    pad_with_zeros(sign, digits);
}

void Printer::fmt_float(double d, char32_t verb) {
    int prec = -1;
    switch (verb) {
        case 'v':
            verb = 'g';
            break;
        case 'g':
        case 'G':
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
            prec = 6;
            break;
        default:
            return bad_verb(verb);
    }
    if (f.prec_present) prec = f.prec;
    std::string num;
    if (std::isinf(d) || std::isnan(d)) {
        num = std::isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
        if (std::isnan(d) && (f.plus || f.space))
            num = (f.plus ? "+" : " ") + num;
        else if (!std::isnan(d) && d > 0 && !f.plus)
            num = f.space ? " Inf" : "Inf";
        bool zero = f.zero;
        f.zero = false;
        pad(num);
        f.zero = zero;
        return;
    }
    if ((verb == 'g' || verb == 'G') && prec < 0) {
        num = format_float_shortest(d);
        if (verb == 'G')
            for (auto& c : num)
                c = c == 'e' ? 'E' : c;
    } else {
        char spec[8] = {'%', '.', '*', static_cast<char>(verb), 0};
        char b[512];
        std::snprintf(b, sizeof b, spec, prec, d);
        num = b;
    }
    std::string sign;
    if (num[0] == '-') {
        sign = "-";
        num.erase(0, 1);
    } else if (f.plus) {
        sign = "+";
    } else if (f.space) {
        sign = " ";
    }
    pad_with_zeros(sign, num);
}

void Printer::fmt_string(const std::string& s, char32_t verb) {
    switch (verb) {
        case 'v':
            if (f.sharp_v) return pad(quote(s));
            [[fallthrough]];
        case 's': {
            if (!f.prec_present) return pad(s);
            size_t i = 0;
            for (int n = 0; n < f.prec && i < s.size(); ++n)
                i += decode_rune(s, i).second;
            return pad(s.substr(0, i));
        }
        case 'q':
            return pad(quote(s));
        case 'x':
        case 'X': {
            const char* set = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            std::string out;
            size_t n = f.prec_present ? std::min<size_t>(s.size(), f.prec) : s.size();
            for (size_t i = 0; i < n; ++i) {
                if (f.space && i > 0) out += ' ';
                if (f.sharp && (f.space || i == 0)) out += verb == 'X' ? "0X" : "0x";
                auto c = static_cast<unsigned char>(s[i]);
                out += set[c >> 4];
                out += set[c & 15];
            }
            return pad(out);
        }
        default:
            bad_verb(verb);
    }
}

// Parses a decimal number at format[i]; returns {value, present, next index}.
std::tuple<int, bool, size_t> parse_num(std::string_view format, size_t i) {
    size_t start = i;
    int n = 0;
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        if (n > 1000000) return {0, false, format.size()};
        n = n * 10 + (format[i] - '0');
        ++i;
    }
    return {n, i > start, i};
}

// An int operand for `*`: {value, ok}.
std::pair<int, bool> int_from_arg(std::span<const Value> args, size_t& arg_num) {
    if (arg_num >= args.size()) return {0, false};
    Value v = indirect_interface(args[arg_num++]);
    if (!v.valid()) return {0, false};
    if (v.kind() == Kind::integer && std::llabs(v.as_int()) <= 1000000)
        return {static_cast<int>(v.as_int()), true};
    if (v.kind() == Kind::unsigned_integer && v.as_uint() <= 1000000)
        return {static_cast<int>(v.as_uint()), true};
    return {0, false};
}

}  // namespace

std::pair<int32_t, size_t> decode_rune(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return {c, 1};
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > s.size() || c > 0xF4) return {-1, 1};
    int32_t r = c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return {-1, 1};
        r = (r << 6) | (cc & 0x3F);
    }
    static const int32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (r < k_min[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {-1, 1};
    return {r, n};
}

void append_utf8(std::string& out, uint32_t r) {
    if (r < 0x80) {
        out += static_cast<char>(r);
    } else if (r < 0x800) {
        out += static_cast<char>(0xC0 | (r >> 6));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
        out += static_cast<char>(0xE0 | (r >> 12));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (r >> 18));
        out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    }
}

std::string format_float_shortest(double d) {
    if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
    if (std::isnan(d)) return "NaN";
    if (d == 0) return std::signbit(d) ? "-0" : "0";
    char b[64];
    auto res = std::to_chars(b, b + sizeof b, d, std::chars_format::scientific);
    std::string sci(b, res.ptr);
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    size_t e = sci.find('e');
    std::string digits = sci.substr(0, e);
    if (digits.size() > 1) digits.erase(1, 1);  // the '.'
    int exp = std::stoi(sci.substr(e + 1));
    if (exp < -4 || exp >= 6) {  // strconv: shortest %g switches to %e from 1e+06
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
        return out + eb;
    }
    std::string out;
    if (exp < 0) {
        out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
        out = digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0');
    } else {
        out = digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
    return sign + out;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        auto [r, w] = decode_rune(s, i);
        if (r < 0) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(s[i]));
            out += b;
        } else {
            append_escaped_rune(out, r, '"');
        }
        i += w;
    }
    return out + "\"";
}

std::string sprint(std::span<const Value> args) {
    Printer p;
    bool prev_string = false;
    for (size_t i = 0; i < args.size(); ++i) {
        Value a = indirect_interface(args[i]);
        bool is_string = a.valid() && a.kind() == Kind::string;
        if (i > 0 && !is_string && !prev_string) p.buf += ' ';
        p.print_arg(a, 'v');
        prev_string = is_string;
    }
    return p.buf;
}

std::string sprintln(std::span<const Value> args) {
    Printer p;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) p.buf += ' ';
        p.print_arg(args[i], 'v');
    }
    return p.buf + "\n";
}

std::string print_value(const Value& v) {
    Printer p;
    p.print_arg(v, 'v');
    return p.buf;
}

std::string sprintf(std::string_view format, std::span<const Value> args) {
    Printer p;
    size_t arg_num = 0, end = format.size();
    for (size_t i = 0; i < end;) {
        size_t last = i;
        while (i < end && format[i] != '%')
            ++i;
        p.buf.append(format.substr(last, i - last));
        if (i >= end) break;
        ++i;
        p.f = Flags();
        for (; i < end; ++i) {
            char c = format[i];
            if (c == '#')
                p.f.sharp = true;
            else if (c == '0')
                p.f.zero = !p.f.minus;
            else if (c == '+')
                p.f.plus = true;
            else if (c == '-')
                p.f.minus = true, p.f.zero = false;
            else if (c == ' ')
                p.f.space = true;
            else
                break;
        }
        if (i < end && format[i] == '*') {
            ++i;
            auto [w, ok] = int_from_arg(args, arg_num);
            p.f.wid = w;
            p.f.wid_present = ok;
            if (!ok) p.buf += "%!(BADWIDTH)";
            if (p.f.wid < 0) {
                p.f.wid = -p.f.wid;
                p.f.minus = true;
                p.f.zero = false;
            }
        } else {
            auto [w, present, next] = parse_num(format, i);
            p.f.wid = w;
            p.f.wid_present = present;
            i = next;
        }
        if (i + 1 < end && format[i] == '.') {
            ++i;
            if (i < end && format[i] == '*') {
                ++i;
                auto [pr, ok] = int_from_arg(args, arg_num);
                p.f.prec = pr;
                p.f.prec_present = ok;
                if (p.f.prec < 0) {
                    p.f.prec = 0;
                    p.f.prec_present = false;
                }
                if (!ok) p.buf += "%!(BADPREC)";
            } else {
                auto [pr, present, next] = parse_num(format, i);
                p.f.prec = present ? pr : 0;
                p.f.prec_present = true;
                i = next;
            }
        }
        if (i >= end) {
            p.buf += "%!(NOVERB)";
            break;
        }
        auto [r, w] = decode_rune(format, i);
        char32_t verb = r < 0 ? 0xFFFD : static_cast<char32_t>(r);
        i += w;
        if (verb == '%') {
            p.buf += '%';
        } else if (arg_num >= args.size()) {
            p.buf += "%!";
            append_utf8(p.buf, verb);
            p.buf += "(MISSING)";
        } else {
            if (verb == 'v') {
                p.f.sharp_v = p.f.sharp;
                p.f.sharp = false;
                p.f.plus_v = p.f.plus;
                p.f.plus = false;
            }
            p.print_arg(args[arg_num++], verb);
        }
    }
    if (arg_num < args.size()) {
        p.f = Flags();
        p.buf += "%!(EXTRA ";
        for (size_t k = arg_num; k < args.size(); ++k) {
            if (k > arg_num) p.buf += ", ";
            Value a = indirect_interface(args[k]);
            if (!a.valid()) {
                p.buf += "<nil>";
                continue;
            }
            p.buf += a.type()->name + "=";
            p.print_arg(a, 'v');
        }
        p.buf += ')';
    }
    return p.buf;
}

}  // namespace ferry::gotmpl
