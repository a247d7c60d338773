// Each function has docker 20.10's Go signature (so that `{{upper .Labels}}` fails as docker's
// does: `wrong type for value; expected string; got map[string]string`) and its behaviour: truncate
// cuts bytes, pad leaves an empty string empty, join is strings.Join (a []string only; docker 29
// also joins other slices and maps), json encodes without HTML escaping.

#include "ferry/cli/template/docker_funcs.hpp"

#include <algorithm>
#include <cctype>

#include "ferry/cli/template/json_value.hpp"
#include "ferry/util/gotmpl/fmt.hpp"

namespace ferry::cli::tmpl {

using gotmpl::Func;
using gotmpl::Kind;
using gotmpl::Value;

namespace {

Func func(std::vector<const gotmpl::Type*> params,
          std::function<Result<Value>(std::span<const Value>)> f) {
    Func fn;
    fn.params = std::move(params);
    fn.call = std::move(f);
    return fn;
}

const gotmpl::Type* s() {
    return gotmpl::string_type();
}
const gotmpl::Type* i() {
    return gotmpl::int_type();
}

Value split(const std::string& str, const std::string& sep) {
    std::vector<Value> parts;
    if (sep.empty()) {
        for (size_t k = 0; k < str.size();) {
            auto c = static_cast<unsigned char>(str[k]);
            size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            parts.push_back(Value::of_string(str.substr(k, n)));
            k += n;
        }
    } else {
        size_t start = 0;
        for (;;) {
            size_t p = str.find(sep, start);
            parts.push_back(Value::of_string(str.substr(start, p - start)));
            if (p == std::string::npos) break;
            start = p + sep.size();
        }
    }
    return Value::of_slice(gotmpl::slice_of(s()), std::move(parts));
}

std::string join(const Value& elems, const std::string& sep) {
    std::string out;
    for (size_t k = 0; k < elems.elems().size(); ++k)
        out += (k ? sep : "") + elems.elems()[k].as_string();
    return out;
}

std::string title(std::string str) {
    bool prev_sep = true;
    for (auto& c : str) {
        auto u = static_cast<unsigned char>(c);
        if (prev_sep) c = static_cast<char>(std::toupper(u));
        prev_sep = !(std::isalnum(u) || c == '_' || u >= 0x80);
    }
    return str;
}

std::string map_chars(std::string str, int (*f)(int)) {
    for (auto& c : str)
        c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return str;
}

gotmpl::FuncMap make_docker_funcs() {
    gotmpl::FuncMap m;
    m["json"] = func({gotmpl::any_type()}, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_string(to_json(a[0]));
    });
    m["split"] = func({s(), s()}, [](std::span<const Value> a) -> Result<Value> {
        return split(a[0].as_string(), a[1].as_string());
    });
    m["join"] = func({gotmpl::slice_of(s()), s()}, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_string(join(a[0], a[1].as_string()));
    });
    m["title"] = func({s()}, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_string(title(a[0].as_string()));
    });
    m["lower"] = func({s()}, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_string(map_chars(a[0].as_string(), ::tolower));
    });
    m["upper"] = func({s()}, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_string(map_chars(a[0].as_string(), ::toupper));
    });
    m["pad"] = func({s(), i(), i()}, [](std::span<const Value> a) -> Result<Value> {
        const std::string& str = a[0].as_string();
        if (str.empty()) return Value::of_string("");
        auto n = [](int64_t v) { return static_cast<size_t>(std::max<int64_t>(v, 0)); };
        return Value::of_string(std::string(n(a[1].as_int()), ' ') + str +
                                std::string(n(a[2].as_int()), ' '));
    });
    m["truncate"] = func({s(), i()}, [](std::span<const Value> a) -> Result<Value> {
        const std::string& str = a[0].as_string();
        int64_t n = a[1].as_int();
        if (n < 0)
            return fail("runtime error: slice bounds out of range [:" + std::to_string(n) + "]");
        if (str.size() < static_cast<size_t>(n)) return a[0];
        return Value::of_string(str.substr(0, static_cast<size_t>(n)));
    });
    return m;
}

gotmpl::FuncMap make_header_funcs() {
    gotmpl::FuncMap m;
    auto same = [](std::span<const Value> a) -> Result<Value> { return a[0]; };
    for (const char* name : {"json", "title", "lower", "upper"})
        m[name] = func({s()}, same);
    for (const char* name : {"split", "join"})
        m[name] = func({s(), s()}, same);
    m["truncate"] = func({s(), i()}, same);
    return m;
}

}  // namespace

const gotmpl::FuncMap& docker_funcs() {
    static const gotmpl::FuncMap m = make_docker_funcs();
    return m;
}

const gotmpl::FuncMap& header_funcs() {
    static const gotmpl::FuncMap m = make_header_funcs();
    return m;
}

}  // namespace ferry::cli::tmpl
