#pragma once
// Output of listings as docker prints them (docker/cli's formatter.Context): aligned tables (Go's
// tabwriter with minwidth 10 and padding 3), `--format json` (one JSON object per line), and Go
// templates run once per row (`{{.Repository}}:{{.Tag}}`, `table {{.ID}}\t{{.Size}}`,
// `{{json .}}`, `{{.Label "com.x"}}`, `{{if eq .State "running"}}...{{end}}`), through util/gotmpl
// with docker's functions.

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

// Renders rows: an empty format (or "table") prints the default table of columns; "json" one
// object per row with every field of the row (keys sorted, as docker's); otherwise a Go template
// executed on each row, whose fields are the row's (strings, as docker's formatter methods
// return) plus `.Label "key"` (looked up in the row's "Labels" field, `k=v,k=v`). A format that
// starts with "table" gets a header line, the template executed on the headers (the columns',
// else the field name in capitals split at its words: CreatedAt -> CREATED AT), and aligned
// cells. go_type names the row in errors as docker's (`*formatter.ContainerContext`). Fails with
// docker's words, `template parsing error: template: :1:2: executing "" at <.Foo>: can't evaluate
// field Foo in type *formatter.ContainerContext`, exit status 1.
Result<std::string> render(const std::vector<Column>& columns, const std::vector<Row>& rows,
                           std::string_view format, std::string_view go_type = "formatter.Context");

// docker ps's check of a --format before listing: the text as given ("table" and \t included)
// parsed and executed on a row whose fields are all empty. Fails `failed to parse template: ...`
// or `failed to execute template: ...`, exit status 1.
Result<void> check_format(std::string_view format, const Row& empty_row, std::string_view go_type);

// Expands {{...}} actions naively (a leading `json ` reported through the flag, eval gives each
// action's text). Kept for callers that substitute their own actions; formats given by users go
// through render or InspectTemplate. Fails with `template: unclosed action` or eval's error.
Result<std::string> expand_actions(
    std::string_view tmpl,
    const std::function<Result<std::string>(std::string_view action, bool json)>& eval);

// Quotes and escapes s as a JSON string the way Go's encoding/json does (<, >, & escaped).
std::string json_quote(std::string_view s);

}  // namespace ferry::cli
