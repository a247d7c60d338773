// `--gpus` parsing, a transcription of docker's opts/gpus.go on top of a transcription of Go's
// encoding/csv record reader (the same quoting rules, the same line/column error positions), so
// that every value docker accepts means the same here and every value it rejects fails with the
// same words.

#include "ferry/gpu/gpu_request.hpp"

#include <algorithm>
#include <set>

#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr std::string_view k_bare_quote = "bare \" in non-quoted-field";
constexpr std::string_view k_quote = "extraneous or missing \" in quoted-field";

std::unexpected<Error> csv_error(int start_line, int line, size_t column, std::string_view what) {
    std::string msg;
    if (start_line != line) msg = "record on line " + std::to_string(start_line) + "; ";
    msg += "parse error on line " + std::to_string(line) + ", column " + std::to_string(column) +
           ": " + std::string(what);
    return fail(msg);
}

// Go's strconv.Atoi, returning the error word on failure.
std::optional<int64_t> atoi(std::string_view s, std::string& why) {
    if (auto n = parse_i64(s)) return n;
    std::string_view digits = s;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
    bool numeric = !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
    why = numeric ? "value out of range" : "invalid syntax";
    return std::nullopt;
}

Result<int64_t> parse_count(std::string_view s) {
    if (s == "all") return -1;
    std::string why;
    if (auto n = atoi(s, why)) return *n;
    return fail("invalid count (" + std::string(s) +
                "): value must be either \"all\" or an integer: " + why);
}

}  // namespace

Result<std::vector<std::string>> read_csv_record(std::string_view text) {
    size_t at = 0;
    int num_line = 0;
    auto read_line = [&]() -> std::string {
        if (at >= text.size()) return {};
        size_t nl = text.find('\n', at);
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string line(text.substr(at, end - at));
        at = end;
        ++num_line;
        if (line.size() >= 2 && line[line.size() - 2] == '\r' && line.back() == '\n') {
            line.erase(line.size() - 2, 1);
        } else if (nl == std::string_view::npos && !line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        return line;
    };
    auto length_nl = [](std::string_view s) { return !s.empty() && s.back() == '\n' ? 1u : 0u; };

    std::string line;
    for (;;) {
        line = read_line();
        if (line.empty()) return fail("EOF");
        if (line != "\n") break;
    }
    const int rec_line = num_line;
    std::vector<std::string> fields;
    std::string_view rest = line;
    int pos_line = num_line;
    size_t col = 1;
    for (;;) {
        if (rest.empty() || rest[0] != '"') {
            size_t comma = rest.find(',');
            std::string_view field = comma == std::string_view::npos
                                         ? rest.substr(0, rest.size() - length_nl(rest))
                                         : rest.substr(0, comma);
            if (auto q = field.find('"'); q != std::string_view::npos)
                return csv_error(rec_line, num_line, col + q, k_bare_quote);
            fields.emplace_back(field);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
            col += comma + 1;
            continue;
        }
        // Quoted field; it may continue on the following lines.
        std::string buf;
        rest.remove_prefix(1);
        col += 1;
        for (;;) {
            size_t q = rest.find('"');
            if (q != std::string_view::npos) {
                buf.append(rest.substr(0, q));
                rest.remove_prefix(q + 1);
                col += q + 1;
                if (!rest.empty() && rest[0] == '"') {
                    buf += '"';
                    rest.remove_prefix(1);
                    col += 1;
                } else if (!rest.empty() && rest[0] == ',') {
                    rest.remove_prefix(1);
                    col += 1;
                    fields.push_back(std::move(buf));
                    break;
                } else if (length_nl(rest) == rest.size()) {
                    fields.push_back(std::move(buf));
                    return fields;
                } else {
                    return csv_error(rec_line, num_line, col - 1, k_quote);
                }
            } else if (!rest.empty()) {
                buf.append(rest);
                col += rest.size();
                line = read_line();
                rest = line;
                if (!line.empty()) ++pos_line, col = 1;
            } else {
                return csv_error(rec_line, pos_line, col, k_quote);
            }
        }
    }
    return fields;
}

Result<GpuRequest> parse_gpus(std::string_view value) {
    auto fields = TRY(read_csv_record(value));
    GpuRequest req;
    std::set<std::string, std::less<>> seen;
    for (const auto& field : fields) {
        auto eq = field.find('=');
        std::string key = field.substr(0, eq);
        if (seen.contains(key))
            return fail("gpu request key '" + key + "' can be specified only once");
        seen.insert(key);
        if (eq == std::string::npos) {
            seen.insert("count");
            req.count = TRY(parse_count(key));
            continue;
        }
        std::string val = field.substr(eq + 1);
        if (key == "driver") {
            req.driver = val;
        } else if (key == "count") {
            req.count = TRY(parse_count(val));
        } else if (key == "device") {
            req.device_ids = split(val, ',');
        } else if (key == "capabilities") {
            req.capabilities = split(val, ',');
            req.capabilities.emplace_back("gpu");
        } else if (key == "options") {
            auto opts = read_csv_record(val);
            if (!opts) return fail("failed to read gpu options: " + opts.error().message);
            for (const auto& kv : *opts) {
                auto e = kv.find('=');
                req.options.emplace_back(kv.substr(0, e),
                                         e == std::string::npos ? "" : kv.substr(e + 1));
            }
        } else {
            return fail("unexpected key '" + key + "' in '" + field + "'");
        }
    }
    if (!seen.contains("count") && !req.device_ids) req.count = 1;
    if (req.capabilities.empty()) req.capabilities = {"gpu"};
    return req;
}

}  // namespace ferry::gpu
