// Rows are structs of strings because docker's formatter methods all return strings; the struct
// type is made per go_type (its fields are the row's), which is enough for Go's error texts to
// name it as docker's do.

#include "ferry/cli/template/listing.hpp"

#include <cctype>
#include <map>

#include "ferry/cli/table.hpp"

namespace ferry::cli::tmpl {

using gotmpl::Kind;
using gotmpl::Type;
using gotmpl::Value;

namespace {

std::string label_of(std::string_view labels, std::string_view key) {
    size_t start = 0;
    while (start <= labels.size()) {
        size_t comma = labels.find(',', start);
        std::string_view item = labels.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        size_t eq = item.find('=');
        if (item.substr(0, eq) == key)
            return eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return "";
}

std::string row_json(const Value& row) {
    const Value& s = row.kind() == Kind::pointer ? row.target() : row;
    std::map<std::string, std::string> sorted;
    for (size_t i = 0; i < s.type()->fields.size(); ++i)
        sorted[s.type()->fields[i].name] = s.elems()[i].as_string();
    std::string out = "{";
    for (const auto& [k, v] : sorted) {
        if (out.size() > 1) out += ",";
        out += json_quote(k) + ":" + json_quote(v);
    }
    return out + "}";
}

}  // namespace

Value row_value(const Fields& fields, std::string_view go_type) {
    Type* t = gotmpl::named_type(go_type, Kind::structure);
    t->fields.clear();
    std::vector<Value> values;
    for (const auto& [name, value] : fields) {
        gotmpl::Field f;
        f.name = f.json_name = name;
        f.type = gotmpl::string_type();
        t->fields.push_back(f);
        values.push_back(Value::of_string(value));
    }
    t->methods.clear();  // docker's contexts have one method per field, and Label
    for (size_t i = 0; i < fields.size(); ++i) {
        gotmpl::Method m;
        m.name = fields[i].first;
        m.result = gotmpl::string_type();
        m.call = [i](const Value& self, std::span<const Value>) -> Result<Value> {
            return self.elems()[i];
        };
        t->methods.push_back(std::move(m));
    }
    gotmpl::Method label;
    label.name = "Label";
    label.params = {gotmpl::string_type()};
    label.result = gotmpl::string_type();
    label.call = [](const Value& self, std::span<const Value> args) -> Result<Value> {
        auto path = gotmpl::field_path(self.type(), "Labels");
        if (path.empty()) return Value::of_string("");
        return Value::of_string(label_of(self.elems()[path[0]].as_string(), args[0].as_string()));
    };
    t->methods.push_back(std::move(label));
    t->marshal_json = row_json;
    return Value::of_pointer(gotmpl::pointer_to(t), Value::of_struct(t, std::move(values)));
}

Value header_value(const Fields& titles) {
    Type* t = gotmpl::named_type("formatter.SubHeaderContext", Kind::map);
    t->key = gotmpl::string_type();
    t->elem = gotmpl::string_type();
    if (t->methods.empty()) {
        gotmpl::Method label;
        label.name = "Label";
        label.params = {gotmpl::string_type()};
        label.result = gotmpl::string_type();
        label.call = [](const Value&, std::span<const Value> args) -> Result<Value> {
            std::string name = args[0].as_string();
            std::string h =
                name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
            for (auto& c : h)
                if (c == '-' || c == '_') c = ' ';
            return Value::of_string(h);
        };
        t->methods.push_back(std::move(label));
    }
    gotmpl::MapEntries entries;
    for (const auto& [k, v] : titles)
        entries.emplace_back(Value::of_string(k), Value::of_string(v));
    return Value::of_map(t, std::move(entries));
}

std::string default_title(std::string_view field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        bool upper = std::isupper(static_cast<unsigned char>(c));
        if (i > 0 && upper &&
            (std::islower(static_cast<unsigned char>(field[i - 1])) ||
             (i + 1 < field.size() && std::islower(static_cast<unsigned char>(field[i + 1])))))
            out += ' ';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace ferry::cli::tmpl
