// The default table and `json` are printed directly; any other format is a Go template run per
// row as docker's formatter.Context.Write does: parsed once, each row's output followed by a
// newline, and for `table` a header line made by executing the same template on the column
// titles with docker's header functions (errors there only cut the header short, as docker
// ignores them), then every line aligned as Go's tabwriter aligns it.

#include "ferry/cli/table.hpp"

#include "ferry/cli/template/docker_funcs.hpp"
#include "ferry/cli/template/listing.hpp"
#include "ferry/util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace ferry::cli {

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '<': out += "\\u003c"; break;
            case '>': out += "\\u003e"; break;
            case '&': out += "\\u0026"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

namespace {

// A cell's width as Go's tabwriter counts it: one per UTF-8 character (`…` is one).
size_t cell_width(std::string_view s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

}  // namespace

std::string align_table(const std::vector<std::vector<std::string>>& lines) {
    std::vector<size_t> widths;
    for (const auto& line : lines)
        for (size_t i = 0; i + 1 < line.size(); ++i) {
            if (widths.size() <= i) widths.resize(i + 1, 0);
            widths[i] = std::max(widths[i], cell_width(line[i]));
        }
    std::string out;
    for (const auto& line : lines) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i) {
            text += line[i];
            if (i + 1 < line.size())
                text.append(std::max<size_t>(10, widths[i] + 3) - cell_width(line[i]), ' ');
        }
        out += text + "\n";
    }
    return out;
}

namespace {

std::string row_json(const Row& row) {
    std::map<std::string, std::string> sorted(row.begin(), row.end());
    std::string out = "{";
    for (const auto& [k, v] : sorted) {
        if (out.size() > 1) out += ",";
        out += json_quote(k) + ":" + json_quote(v);
    }
    return out + "}";
}

const std::string* field_of(const Row& row, std::string_view name) {
    for (const auto& [k, v] : row)
        if (k == name) return &v;
    return nullptr;
}

std::vector<std::string> split_tabs(const std::string& s) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (;;) {
        size_t tab = s.find('\t', start);
        cells.push_back(s.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return cells;
}

// The names after a dot in a format (`.Names`, `.Label`): enough to title a header's columns.
std::vector<std::string> field_names(std::string_view s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '.' || i + 1 >= s.size() || !std::isupper(static_cast<unsigned char>(s[i + 1])))
            continue;
        size_t j = i + 1;
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        out.emplace_back(s.substr(i + 1, j - i - 1));
        i = j - 1;
    }
    return out;
}

std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
            out += s[i + 1] == 't' ? '\t' : '\n';
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

Result<std::string> expand_actions(
    std::string_view tmpl,
    const std::function<Result<std::string>(std::string_view action, bool json)>& eval) {
    std::string out;
    size_t pos = 0;
    while (pos < tmpl.size()) {
        size_t open = tmpl.find("{{", pos);
        if (open == std::string_view::npos) {
            out.append(tmpl.substr(pos));
            break;
        }
        out.append(tmpl.substr(pos, open - pos));
        size_t close = tmpl.find("}}", open);
        if (close == std::string_view::npos) return fail("template: unclosed action");
        std::string_view action = trim(tmpl.substr(open + 2, close - open - 2));
        bool json = false;
        if (action.starts_with("json ")) {
            json = true;
            action = trim(action.substr(5));
        }
        out += TRY(eval(action, json));
        pos = close + 2;
    }
    return out;
}

Result<void> check_format(std::string_view format, const Row& empty_row, std::string_view go_type) {
    auto tmpl = gotmpl::Template::parse(format, tmpl::docker_funcs());
    if (!tmpl) return fail_with_status("failed to parse template: " + tmpl.error().message, 1);
    auto out = tmpl->execute(tmpl::row_value(empty_row, go_type));
    if (!out) return fail_with_status("failed to execute template: " + out.error().message, 1);
    return {};
}

Result<std::string> render(const std::vector<Column>& columns, const std::vector<Row>& rows,
                           std::string_view format, std::string_view go_type) {
    if (format.empty() || format == "table") {
        std::vector<std::vector<std::string>> lines;
        std::vector<std::string> header;
        for (const auto& c : columns) header.push_back(c.header);
        lines.push_back(header);
        for (const auto& row : rows) {
            std::vector<std::string> line;
            for (const auto& c : columns) {
                const std::string* v = field_of(row, c.field);
                line.push_back(v ? *v : "");
            }
            lines.push_back(line);
        }
        return align_table(lines);
    }
    if (format == "json") {
        std::string out;
        for (const auto& row : rows) out += row_json(row) + "\n";
        return out;
    }
    // docker's Format.templateString: "table" prefix cut, spaces trimmed, \t and \n unescaped
    bool table = format.starts_with("table");
    std::string_view text = table ? format.substr(5) : format;
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    auto tmpl = gotmpl::Template::parse(unescape(text), tmpl::docker_funcs());
    if (!tmpl) return fail_with_status("template parsing error: " + tmpl.error().message, 1);
    std::string body;
    for (const auto& row : rows) {
        auto line = tmpl->execute(tmpl::row_value(row, go_type));
        if (!line) return fail_with_status("template parsing error: " + line.error().message, 1);
        body += *line + "\n";
    }
    if (!table) return body;
    tmpl::Fields titles;
    for (const auto& c : columns) titles.emplace_back(c.field, c.header);
    const Row* fields = rows.empty() ? nullptr : &rows.front();
    for (const auto& [name, value] : fields ? *fields : Row{})
        if (!field_of(titles, name)) titles.emplace_back(name, tmpl::default_title(name));
    for (const auto& name : field_names(text))  // with no rows, the fields the format names
        if (!field_of(titles, name)) titles.emplace_back(name, tmpl::default_title(name));
    std::string header;
    auto header_tmpl = tmpl->with_funcs(tmpl::header_funcs());
    (void)header_tmpl.execute_partial(tmpl::header_value(titles), header);  // errors cut it short
    std::vector<std::vector<std::string>> lines;
    lines.push_back(split_tabs(header));
    size_t start = 0;
    while (start < body.size()) {
        size_t nl = body.find('\n', start);
        lines.push_back(split_tabs(body.substr(start, nl - start)));
        start = nl + 1;
    }
    return align_table(lines);
}

}  // namespace ferry::cli
