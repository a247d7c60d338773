#pragma once
// Go's text/template: Template::parse turns a template text into trees (parser.hpp) and
// execute walks them over a Value (exec.cpp), calling Go's builtin functions (funcs.cpp) and
// those the caller adds, with Go's semantics and error messages: parse errors
// `template: NAME:LINE: msg`, execution errors `template: NAME:LINE:COL: executing "NAME" at
// <node>: msg`. It knows nothing of docker; cli/template/ adds docker's functions and types.

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/gotmpl/parser.hpp"
#include "ferry/util/gotmpl/value.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gotmpl {

// A function templates can call, described by its Go signature so that arguments are checked
// and converted as text/template does. A nullptr parameter type is Go's reflect.Value: any value,
// the invalid one included, passed as it is (the builtins take those).
struct Func {
    std::vector<const Type*> params;
    bool variadic = false;  // the last parameter repeats (Go's `...T`)
    bool lazy = false;      // Go's and/or: arguments evaluated only until the result is known
    // The function's body; an error becomes `error calling NAME: <message>`.
    std::function<Result<Value>(std::span<const Value> args)> call;
};

// Function name to function.
using FuncMap = std::map<std::string, Func, std::less<>>;

// What a missing map key gives (Go's missingkey option).
enum class MissingKey { invalid, zero, error };

class Template {
  public:
    // Parses text; funcs are added to Go's builtins (and may replace them). Fails with Go's parse
    // error.
    static Result<Template> parse(std::string_view text, FuncMap funcs = {}, std::string name = "");
    // This template with funcs replacing or adding functions, as Go's Template.Funcs.
    Template with_funcs(const FuncMap& funcs) const;
    // Executes the template on data; fails with Go's execution error. Output written before an
    // error is lost (callers that want it, as docker's table headers, use execute_partial).
    Result<std::string> execute(const Value& data, MissingKey missing = MissingKey::invalid) const;
    // Executes into out, which keeps what was written before an error.
    Result<void> execute_partial(const Value& data, std::string& out,
                                 MissingKey missing = MissingKey::invalid) const;

  private:
    std::string m_name;
    std::shared_ptr<const std::string> m_text;
    TreeSet m_trees;
    std::shared_ptr<const FuncMap> m_funcs;
    friend class Exec;
};

// Go's builtin functions (and, or, not, len, index, slice, print, printf, println, eq, ne, lt,
// le, gt, ge, html, js, urlquery).
const FuncMap& builtin_funcs();
// Whether v is true as `if` sees it: non-zero number, non-empty string/slice/map, non-nil
// pointer, true; {false, false} when it cannot tell (never for these kinds).
std::pair<bool, bool> is_true(const Value& v);

}  // namespace ferry::gotmpl
