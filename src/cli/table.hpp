#pragma once
// Output of listings as docker prints them: aligned tables (Go's tabwriter with minwidth 10 and
// padding 3), `--format json` (one JSON object per line), and Go-template-like formats
// (`{{.Repository}}:{{.Tag}}`, `table {{.ID}}\t{{.Size}}`, `{{json .}}`).

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::cli {

// One row: field name (as docker's template field, e.g. "Repository") to display value.
using Row = std::vector<std::pair<std::string, std::string>>;

// Column: template field and table header ("Repository", "REPOSITORY").
struct Column {
    std::string field;
    std::string header;
};

// Aligns cells as Go's tabwriter(minwidth 10, padding 3): every column but the last is padded
// to max(10, widest cell + 3).
std::string align_table(const std::vector<std::vector<std::string>>& lines);

// Renders rows: an empty format prints the default table of columns; "json" one object per row
// with every field of the row (keys sorted, as docker's); otherwise a template where
// {{.Field}} is replaced by that field, {{json .}} by the row object, {{json .Field}} by the
// quoted value, and a leading "table " adds the header line and aligns. Fails on an unknown
// field: `template: unknown field `.Foo``.
Result<std::string> render(const std::vector<Column>& columns, const std::vector<Row>& rows,
                           std::string_view format);

// Expands the {{...}} actions of a Go-template subset: text outside actions is copied, each
// action is trimmed, a leading `json ` is removed and reported through the flag, and eval gives
// the text to put in its place. Fails with `template: unclosed action` or eval's error.
Result<std::string> expand_actions(
    std::string_view tmpl,
    const std::function<Result<std::string>(std::string_view action, bool json)>& eval);

// Quotes and escapes s as a JSON string the way Go's encoding/json does (<, >, & escaped).
std::string json_quote(std::string_view s);

}  // namespace ferry::cli
