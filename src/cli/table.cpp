// A small subset of Go's text/template, enough for the formats people pass to docker: field
// references, `json`, and the `table` directive. Anything else is an error naming the action.

#include "ferry/cli/table.hpp"

#include "ferry/util/strings.hpp"

#include <algorithm>
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
        while (!text.empty() && text.back() == ' ') text.pop_back();
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

// Expands one template against a row; with header_columns, substitutes column headers instead.
Result<std::string> expand(std::string_view tmpl, const Row& row,
                           const std::vector<Column>* header_columns) {
    return expand_actions(tmpl, [&](std::string_view action, bool json) -> Result<std::string> {
        if (action == ".") {
            if (!json) return fail("template: `{{.}}` needs `json`");
            return header_columns ? std::string() : row_json(row);
        }
        if (!action.starts_with("."))
            return fail("template: unsupported action `{{" + std::string(action) + "}}`");
        std::string_view name = action.substr(1);
        const std::string* v = field_of(row, name);
        if (!v) return fail("template: unknown field `." + std::string(name) + "`");
        if (!header_columns) return json ? json_quote(*v) : *v;
        for (const auto& c : *header_columns)
            if (c.field == name) return c.header;
        return std::string(name);
    });
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

Result<std::string> render(const std::vector<Column>& columns, const std::vector<Row>& rows,
                           std::string_view format) {
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
    bool table = format.starts_with("table ");
    std::string tmpl = unescape(table ? format.substr(6) : format);
    std::string out;
    if (!table) {
        for (const auto& row : rows) out += TRY(expand(tmpl, row, nullptr)) + "\n";
        return out;
    }
    std::vector<std::vector<std::string>> lines;
    Row probe = rows.empty() ? Row{} : rows.front();
    if (rows.empty())
        for (const auto& c : columns) probe.emplace_back(c.field, "");
    auto split_tabs = [](const std::string& s) {
        std::vector<std::string> cells;
        size_t start = 0;
        for (;;) {
            size_t tab = s.find('\t', start);
            cells.push_back(s.substr(start, tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        return cells;
    };
    lines.push_back(split_tabs(TRY(expand(tmpl, probe, &columns))));
    for (const auto& row : rows) lines.push_back(split_tabs(TRY(expand(tmpl, row, nullptr))));
    return align_table(lines);
}

}  // namespace ferry::cli
