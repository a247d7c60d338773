// A transcription of Go's text/template/exec.go, as of Go 1.19 (what docker 20.10 is built
// with: no range over an integer, which came with Go 1.22). Each eval step returns a Result instead
// of panicking; `break` and `continue` travel as a Flow value up to their range. The node being
// evaluated (Go's s.at) is kept so that errors name it and its line:column as Go's do.

#include "ferry/util/gotmpl/template.hpp"

#include <optional>

#include "ferry/util/gotmpl/fmt.hpp"

namespace ferry::gotmpl {

namespace {

// Go allows 100000 nested {{template}} calls on its growable stacks; a C++ stack holds fewer.
constexpr int k_max_exec_depth = 1000;

// How a walk ended: normally, or at a {{break}} / {{continue}} for the enclosing range.
enum class Flow { normal, break_, continue_ };

struct Variable {
    std::string name;
    Value value;
};

}  // namespace

class Exec {
  public:
    Exec(const Template& t, std::string& out, MissingKey missing)
        : m_tmpl(t), m_out(out), m_missing(missing) {}

    Result<void> run(const Value& data) {
        auto it = m_tmpl.m_trees.find(m_tmpl.m_name);
        if (it == m_tmpl.m_trees.end())
            return fail("template: " + m_tmpl.m_name + ": \"" + m_tmpl.m_name +
                        "\" is an incomplete or empty template");
        m_vars.push_back({"$", data});
        m_current = m_tmpl.m_name;
        TRY(walk(data, *it->second));
        return {};
    }

  private:
    const Template& m_tmpl;
    std::string& m_out;
    MissingKey m_missing;
    std::vector<Variable> m_vars;
    const Node* m_node = nullptr;
    std::string m_current;  // name of the template being executed
    int m_depth = 0;

    void at(const Node& n) { m_node = &n; }

    std::unexpected<Error> errorf(const std::string& msg) const {
        const std::string& name = m_current;
        if (!m_node) return fail("template: " + name + ": " + msg);
        const std::string& text = *m_tmpl.m_text;
        size_t pos = std::min(m_node->pos, text.size());
        size_t nl = text.rfind('\n', pos == 0 ? std::string::npos : pos - 1);
        if (pos == 0) nl = std::string::npos;
        size_t col = nl == std::string::npos ? pos : pos - (nl + 1);
        int line = 1;
        for (size_t i = 0; i < pos; ++i)
            line += text[i] == '\n';
        return fail("template: " + m_tmpl.m_name + ":" + std::to_string(line) + ":" +
                    std::to_string(col) + ": executing \"" + name + "\" at <" + m_node->str() +
                    ">: " + msg);
    }

    size_t mark() const { return m_vars.size(); }
    void pop(size_t m) { m_vars.resize(m); }

    Result<void> set_var(const std::string& name, const Value& v) {
        for (size_t i = m_vars.size(); i-- > 0;)
            if (m_vars[i].name == name) {
                m_vars[i].value = v;
                return {};
            }
        return errorf("undefined variable: " + name);
    }

    Result<Value> var_value(const std::string& name) {
        for (size_t i = m_vars.size(); i-- > 0;)
            if (m_vars[i].name == name) return m_vars[i].value;
        return errorf("undefined variable: " + name);
    }

    Result<Flow> walk(const Value& dot, const Node& node) {
        switch (node.type) {
            case NodeType::action: {
                Value v = TRY(eval_pipeline(dot, node.pipe.get()));
                if (node.pipe->decl.empty()) TRY(print(node, v));
                return Flow::normal;
            }
            case NodeType::break_:
                return Flow::break_;
            case NodeType::continue_:
                return Flow::continue_;
            case NodeType::if_:
            case NodeType::with:
                return walk_if_or_with(dot, node);
            case NodeType::list:
                for (const auto& n : node.nodes) {
                    Flow f = TRY(walk(dot, *n));
                    if (f != Flow::normal) return f;
                }
                return Flow::normal;
            case NodeType::range:
                return walk_range(dot, node);
            case NodeType::template_:
                return walk_template(dot, node);
            case NodeType::text:
                m_out += node.text;
                return Flow::normal;
            default:
                return errorf("unknown node: " + node.str());
        }
    }

    Result<void> print(const Node& node, const Value& v_in) {
        at(node);
        Value v = v_in;
        if (v.valid() && v.kind() == Kind::pointer) v = indirect(v).first;
        if (!v.valid()) {
            m_out += "<no value>";
            return {};
        }
        m_out += print_value(v);
        return {};
    }

    Result<Flow> walk_if_or_with(const Value& dot, const Node& node) {
        size_t m = mark();
        Value val = TRY(eval_pipeline(dot, node.pipe.get()));
        auto [truth, ok] = is_true(indirect_interface(val));
        if (!ok) return errorf("if/with can't use " + print_value(val));
        Result<Flow> r = Flow::normal;
        if (truth)
            r = walk(node.type == NodeType::with ? val : dot, *node.list);
        else if (node.else_list)
            r = walk(dot, *node.else_list);
        pop(m);
        return r;
    }

    Result<Flow> walk_range(const Value& dot, const Node& r) {
        at(r);
        size_t outer = mark();
        Value val = indirect(TRY(eval_pipeline(dot, r.pipe.get()))).first;
        size_t m = mark();
        const auto& decl = r.pipe->decl;
        bool stop = false;
        auto one = [&](const Value& index, const Value& elem) -> Result<void> {
            if (!decl.empty()) {
                if (r.pipe->is_assign)
                    TRY(set_var(decl[0]->ident[0], decl.size() > 1 ? index : elem));
                else
                    m_vars[m_vars.size() - 1].value = elem;
            }
            if (decl.size() > 1) {
                if (r.pipe->is_assign)
                    TRY(set_var(decl[1]->ident[0], elem));
                else
                    m_vars[m_vars.size() - 2].value = index;
            }
            auto f = walk(elem, *r.list);
            pop(m);
            if (!f) return std::unexpected(std::move(f.error()));
            if (*f == Flow::break_) stop = true;
            return {};
        };
        bool ran = false;
        if (!val.valid()) {
            // an invalid value (a nil map, a missing key) ranges over nothing
        } else if (val.kind() == Kind::slice) {
            const auto& elems = val.elems();
            for (size_t i = 0; i < elems.size() && !stop; ++i, ran = true)
                TRY(one(Value::of_int(static_cast<int64_t>(i)), elems[i]));
        } else if (val.kind() == Kind::map) {
            for (const auto& [k, v] : val.entries()) {
                if (stop) break;
                ran = true;
                TRY(one(k, v));
            }
        } else {
            return errorf("range can't iterate over " + print_value(val));
        }
        if (!ran && r.else_list) {
            Flow f = TRY(walk(dot, *r.else_list));
            pop(outer);
            return f;
        }
        pop(outer);
        return Flow::normal;
    }

    Result<Flow> walk_template(const Value& dot, const Node& t) {
        at(t);
        auto it = m_tmpl.m_trees.find(t.text);
        if (it == m_tmpl.m_trees.end()) return errorf("template \"" + t.text + "\" not defined");
        if (m_depth == k_max_exec_depth)
            return errorf("exceeded maximum template depth (" + std::to_string(k_max_exec_depth) +
                          ")");
        Value new_dot = TRY(eval_pipeline(dot, t.pipe.get()));
        auto saved_vars = std::move(m_vars);
        auto saved_name = m_current;
        m_vars = {{"$", new_dot}};
        m_current = t.text;
        ++m_depth;
        auto r = walk(new_dot, *it->second);
        --m_depth;
        m_vars = std::move(saved_vars);
        m_current = saved_name;
        if (!r) return std::unexpected(std::move(r.error()));
        return Flow::normal;
    }

    Result<Value> eval_pipeline(const Value& dot, const Node* pipe) {
        if (!pipe) return Value();
        at(*pipe);
        std::optional<Value> value;
        for (const auto& cmd : pipe->nodes) {
            value = TRY(eval_command(dot, *cmd, value));
            if (value->valid() && value->kind() == Kind::interface) value = value->target();
        }
        for (const auto& v : pipe->decl) {
            if (pipe->is_assign)
                TRY(set_var(v->ident[0], *value));
            else
                m_vars.push_back({v->ident[0], *value});
        }
        return *value;
    }

    Result<void> not_a_function(std::span<const std::unique_ptr<Node>> args,
                                const std::optional<Value>& final, const Node& first) {
        if (args.size() > 1 || final)
            return errorf("can't give argument to non-function " + first.str());
        return {};
    }

    Result<Value> eval_command(const Value& dot, const Node& cmd,
                               const std::optional<Value>& final) {
        const Node& first = *cmd.nodes[0];
        std::span<const std::unique_ptr<Node>> args(cmd.nodes);
        switch (first.type) {
            case NodeType::field:
                return eval_field_node(dot, first, args, final);
            case NodeType::chain:
                return eval_chain_node(dot, first, args, final);
            case NodeType::identifier:
                return eval_function(dot, first, cmd, args, final);
            case NodeType::pipe:
                TRY(not_a_function(args, final, first));
                return eval_pipeline(dot, &first);
            case NodeType::variable:
                return eval_variable_node(dot, first, args, final);
            default:
                break;
        }
        at(first);
        TRY(not_a_function(args, final, first));
        switch (first.type) {
            case NodeType::boolean:
                return Value::of_bool(first.boolean);
            case NodeType::dot:
                return dot;
            case NodeType::nil:
                return errorf("nil is not a command");
            case NodeType::number:
                return ideal_constant(first);
            case NodeType::string:
                return Value::of_string(first.value);
            default:
                return errorf("can't evaluate command " + first.str());
        }
    }

    Result<Value> ideal_constant(const Node& c) {
        at(c);
        const Number& n = c.number;
        bool hex = c.text.size() > 2 && c.text[0] == '0' && (c.text[1] | 0x20) == 'x';
        if (n.is_float && !hex && c.text[0] != '\'' &&
            c.text.find_first_of(".eEpP") != std::string::npos)
            return Value::of_float(n.f);
        if (n.is_int) return Value::of_int(n.i);
        if (n.is_uint) return errorf(c.text + " overflows int");
        return Value();
    }

    Result<Value> eval_field_node(const Value& dot, const Node& field,
                                  std::span<const std::unique_ptr<Node>> args,
                                  const std::optional<Value>& final) {
        at(field);
        return eval_field_chain(dot, dot, field, field.ident, args, final);
    }

    Result<Value> eval_chain_node(const Value& dot, const Node& chain,
                                  std::span<const std::unique_ptr<Node>> args,
                                  const std::optional<Value>& final) {
        at(chain);
        if (chain.term->type == NodeType::nil)
            return errorf("indirection through explicit nil in " + chain.str());
        Value pipe = TRY(eval_arg(dot, nullptr, *chain.term));
        return eval_field_chain(dot, pipe, chain, chain.chain, args, final);
    }

    Result<Value> eval_variable_node(const Value& dot, const Node& variable,
                                     std::span<const std::unique_ptr<Node>> args,
                                     const std::optional<Value>& final) {
        at(variable);
        Value value = TRY(var_value(variable.ident[0]));
        if (variable.ident.size() == 1) {
            TRY(not_a_function(args, final, variable));
            return value;
        }
        std::vector<std::string> rest(variable.ident.begin() + 1, variable.ident.end());
        return eval_field_chain(dot, value, variable, rest, args, final);
    }

    Result<Value> eval_field_chain(const Value& dot, Value receiver, const Node& node,
                                   const std::vector<std::string>& ident,
                                   std::span<const std::unique_ptr<Node>> args,
                                   const std::optional<Value>& final) {
        for (size_t i = 0; i + 1 < ident.size(); ++i)
            receiver = TRY(eval_field(dot, ident[i], node, {}, std::nullopt, receiver));
        return eval_field(dot, ident.back(), node, args, final, receiver);
    }

    Result<Value> eval_field(const Value& dot, const std::string& name, const Node& node,
                             std::span<const std::unique_ptr<Node>> args,
                             const std::optional<Value>& final, const Value& receiver_in) {
        if (!receiver_in.valid()) {
            if (m_missing == MissingKey::error)
                return errorf("nil data; no entry for key \"" + name + "\"");
            return Value();
        }
        const Type* typ = receiver_in.type();
        auto [receiver, is_nil] = indirect(receiver_in);
        if (receiver.kind() == Kind::interface && is_nil)
            return errorf("nil pointer evaluating " + typ->name + "." + name);
        if (const Method* m = find_method(receiver.type(), name))
            return eval_call(
                dot, m->params, false, m->result, node, name, args, final,
                [m, receiver](std::span<const Value> a) { return m->call(receiver, a); });
        bool has_args = args.size() > 1 || final;
        switch (receiver.kind()) {
            case Kind::structure: {
                auto path = field_path(receiver.type(), name);
                if (path.empty()) break;
                Value field = receiver;
                for (size_t k = 0; k < path.size(); ++k) {
                    if (field.kind() == Kind::pointer) {
                        if (field.is_nil())
                            return errorf(
                                "reflect: indirection through nil pointer to embedded "
                                "struct field " +
                                field.type()->elem->name.substr(
                                    field.type()->elem->name.rfind('.') + 1));
                        field = field.target();
                    }
                    Value next = field.elems()[path[k]];
                    field = std::move(next);
                }
                if (has_args)
                    return errorf(name + " has arguments but cannot be invoked as function");
                return field;
            }
            case Kind::map: {
                const Type* key = receiver.type()->key;
                if (key != string_type() && key != any_type()) break;
                if (has_args) return errorf(name + " is not a method but has arguments");
                Value result = receiver.map_index(Value::of_string(name));
                if (!result.valid()) {
                    if (m_missing == MissingKey::zero)
                        result = Value::zero(receiver.type()->elem);
                    else if (m_missing == MissingKey::error)
                        return errorf("map has no entry for key \"" + name + "\"");
                }
                return result;
            }
            case Kind::pointer: {
                const Type* et = receiver.type()->elem;
                if (et->kind == Kind::structure && field_path(et, name).empty()) break;
                if (is_nil) return errorf("nil pointer evaluating " + typ->name + "." + name);
                break;
            }
            default:
                break;
        }
        return errorf("can't evaluate field " + name + " in type " + typ->name);
    }

    Result<Value> eval_function(const Value& dot, const Node& node, const Node& cmd,
                                std::span<const std::unique_ptr<Node>> args,
                                const std::optional<Value>& final) {
        at(node);
        const std::string& name = node.text;
        auto it = m_tmpl.m_funcs->find(name);
        if (it == m_tmpl.m_funcs->end())
            return errorf("\"" + name + "\" is not a defined function");
        const Func& f = it->second;
        return eval_call(dot, f.params, f.variadic, nullptr, cmd, name, args, final, f.call,
                         f.lazy);
    }

    Result<Value> eval_call(const Value& dot, const std::vector<const Type*>& params, bool variadic,
                            const Type* /*result*/, const Node& node, const std::string& name,
                            std::span<const std::unique_ptr<Node>> all_args,
                            const std::optional<Value>& final,
                            const std::function<Result<Value>(std::span<const Value>)>& call,
                            bool short_circuit = false) {
        std::span<const std::unique_ptr<Node>> args =
            all_args.empty() ? all_args : all_args.subspan(1);
        size_t num_in = args.size() + (final ? 1 : 0);
        size_t num_fixed = args.size();
        if (variadic) {
            num_fixed = params.size() - 1;
            if (num_in < num_fixed)
                return errorf("wrong number of args for " + name + ": want at least " +
                              std::to_string(params.size() - 1) + " got " +
                              std::to_string(args.size()));
        } else if (num_in != params.size()) {
            return errorf("wrong number of args for " + name + ": want " +
                          std::to_string(params.size()) + " got " + std::to_string(num_in));
        }
        if (short_circuit) {
            Value v;
            for (const auto& a : args) {
                v = TRY(eval_arg(dot, nullptr, *a));
                if (truth(v) == (name == "or")) return v;
            }
            if (final) v = *final;
            return v;
        }
        std::vector<Value> argv;
        size_t i = 0;
        for (; i < num_fixed && i < args.size(); ++i)
            argv.push_back(TRY(eval_arg(dot, params[i], *args[i])));
        if (variadic)
            for (; i < args.size(); ++i)
                argv.push_back(TRY(eval_arg(dot, params.back(), *args[i])));
        if (final) {
            const Type* t = params.back();
            if (variadic && num_in - 1 < num_fixed) t = params[num_in - 1];
            argv.push_back(TRY(validate_type(*final, t)));
        }
        auto result = call(argv);
        if (!result) {
            at(node);
            return errorf("error calling " + name + ": " + result.error().message);
        }
        return *result;
    }

    static bool truth(const Value& v) { return is_true(indirect_interface(v)).first; }

    // Go's assignability for the kinds here: the same type, an interface, or identical
    // underlying composites where one side is unnamed (strslice.StrSlice to []string).
    static bool assignable(const Value& v, const Type* t) {
        const Type* vt = v.type();
        if (vt == t || t->kind == Kind::interface) return true;
        if (vt->kind != t->kind || (is_named(vt) && is_named(t))) return false;
        switch (t->kind) {
            case Kind::slice:
                return vt->elem == t->elem && vt->array_len == t->array_len;
            case Kind::map:
                return vt->key == t->key && vt->elem == t->elem;
            case Kind::pointer:
                return vt->elem == t->elem;
            default:
                return false;
        }
    }

    static bool is_named(const Type* t) {
        const std::string& n = t->name;
        return !(n.starts_with("[") || n.starts_with("map[") || n.starts_with("*") ||
                 n.starts_with("struct {"));
    }

    Result<Value> validate_type(const Value& value, const Type* typ) {
        if (!value.valid()) {
            if (!typ) return value;
            if (typ->kind == Kind::slice || typ->kind == Kind::map || typ->kind == Kind::pointer ||
                typ->kind == Kind::interface)
                return Value::zero(typ);
            return errorf("invalid value; expected " + typ->name);
        }
        if (!typ || assignable(value, typ)) {
            if (typ && typ->kind == Kind::interface && value.kind() != Kind::interface)
                return Value::of_interface(value, typ);
            return value;
        }
        Value v = value;
        if (v.kind() == Kind::interface && !v.is_nil()) {
            v = v.target();
            if (assignable(v, typ)) return v;
        }
        if (v.kind() == Kind::pointer && v.type()->elem == typ) {
            if (v.is_nil()) return errorf("dereference of nil pointer of type " + typ->name);
            return v.target();
        }
        return errorf("wrong type for value; expected " + typ->name + "; got " + v.type()->name);
    }

    Result<Value> eval_arg(const Value& dot, const Type* typ, const Node& n) {
        at(n);
        switch (n.type) {
            case NodeType::dot:
                return validate_type(dot, typ);
            case NodeType::nil:
                if (!typ) return Value();
                if (typ->kind == Kind::slice || typ->kind == Kind::map ||
                    typ->kind == Kind::pointer || typ->kind == Kind::interface)
                    return Value::zero(typ);
                return errorf("cannot assign nil to " + typ->name);
            case NodeType::field: {
                static const std::unique_ptr<Node> k_self;  // Go passes the node itself: no args
                std::span<const std::unique_ptr<Node>> self(&k_self, 1);
                return validate_type(TRY(eval_field_node(dot, n, self, std::nullopt)), typ);
            }
            case NodeType::variable:
                return validate_type(TRY(eval_variable_node(dot, n, {}, std::nullopt)), typ);
            case NodeType::pipe:
                return validate_type(TRY(eval_pipeline(dot, &n)), typ);
            case NodeType::identifier:
                return validate_type(TRY(eval_function(dot, n, n, {}, std::nullopt)), typ);
            case NodeType::chain:
                return validate_type(TRY(eval_chain_node(dot, n, {}, std::nullopt)), typ);
            default:
                break;
        }
        if (!typ || typ->kind == Kind::interface) {
            Value v = TRY(eval_empty_interface(dot, n));
            return typ ? Value::of_interface(v, typ) : v;
        }
        switch (typ->kind) {
            case Kind::boolean:
                if (n.type == NodeType::boolean) return Value::of_bool(n.boolean, typ);
                return errorf("expected bool; found " + n.str());
            case Kind::integer:
                if (n.type == NodeType::number && n.number.is_int)
                    return Value::of_int(n.number.i, typ);
                return errorf("expected integer; found " + n.str());
            case Kind::unsigned_integer:
                if (n.type == NodeType::number && n.number.is_uint)
                    return Value::of_uint(n.number.u, typ);
                return errorf("expected unsigned integer; found " + n.str());
            case Kind::floating:
                if (n.type == NodeType::number && n.number.is_float)
                    return Value::of_float(n.number.f, typ);
                return errorf("expected float; found " + n.str());
            case Kind::string:
                if (n.type == NodeType::string) return Value::of_string(n.value, typ);
                return errorf("expected string; found " + n.str());
            default:
                break;
        }
        return errorf("can't handle " + n.str() + " for arg of type " + typ->name);
    }

    Result<Value> eval_empty_interface(const Value& dot, const Node& n) {
        at(n);
        switch (n.type) {
            case NodeType::boolean:
                return Value::of_bool(n.boolean);
            case NodeType::dot:
                return dot;
            case NodeType::field:
                return eval_field_node(dot, n, {}, std::nullopt);
            case NodeType::identifier:
                return eval_function(dot, n, n, {}, std::nullopt);
            case NodeType::nil:
                return errorf("evalEmptyInterface: nil (can't happen)");
            case NodeType::number:
                return ideal_constant(n);
            case NodeType::string:
                return Value::of_string(n.value);
            case NodeType::variable:
                return eval_variable_node(dot, n, {}, std::nullopt);
            case NodeType::pipe:
                return eval_pipeline(dot, &n);
            default:
                return errorf("can't handle assignment of " + n.str() +
                              " to empty interface argument");
        }
    }
};

std::pair<bool, bool> is_true(const Value& v) {
    if (!v.valid()) return {false, true};
    switch (v.kind()) {
        case Kind::string:
        case Kind::slice:
        case Kind::map:
            return {v.len() > 0, true};
        case Kind::boolean:
            return {v.as_bool(), true};
        case Kind::pointer:
        case Kind::interface:
            return {!v.is_nil(), true};
        case Kind::integer:
            return {v.as_int() != 0, true};
        case Kind::unsigned_integer:
            return {v.as_uint() != 0, true};
        case Kind::floating:
            return {v.as_float() != 0, true};
        case Kind::structure:
            return {true, true};
    }
    return {false, false};
}

Result<Template> Template::parse(std::string_view text, FuncMap funcs, std::string name) {
    FuncMap all = builtin_funcs();
    for (auto& [k, f] : funcs)
        all[k] = std::move(f);
    Template t;
    t.m_name = std::move(name);
    t.m_text = std::make_shared<const std::string>(text);
    t.m_funcs = std::make_shared<const FuncMap>(std::move(all));
    const FuncMap& fm = *t.m_funcs;
    t.m_trees =
        TRY(gotmpl::parse(t.m_name, text, [&](std::string_view f) { return fm.contains(f); }));
    return t;
}

Template Template::with_funcs(const FuncMap& funcs) const {
    Template t = *this;
    FuncMap all = *m_funcs;
    for (const auto& [k, f] : funcs)
        all[k] = f;
    t.m_funcs = std::make_shared<const FuncMap>(std::move(all));
    return t;
}

Result<void> Template::execute_partial(const Value& data, std::string& out,
                                       MissingKey missing) const {
    return Exec(*this, out, missing).run(data);
}

Result<std::string> Template::execute(const Value& data, MissingKey missing) const {
    std::string out;
    TRY(execute_partial(data, out, missing));
    return out;
}

}  // namespace ferry::gotmpl
