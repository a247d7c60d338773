// Instructions follow the Dockerfile reference: JSON-array (exec) or shell form for CMD and
// ENTRYPOINT, `KEY=VALUE...` or legacy `KEY VALUE` for ENV and LABEL.

#include "ferry/image/changes.hpp"

#include <algorithm>

#include "ferry/oci/json.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

Result<std::vector<std::string>> shell_words(std::string_view s) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
                cur += s[++i];
            } else {
                cur += c;
            }
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < s.size()) {
            cur += s[++i];
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (quote) return fail("unterminated quote");
    if (in_word) words.push_back(std::move(cur));
    return words;
}

namespace {

// CMD/ENTRYPOINT/VOLUME argument: a JSON array of strings, else nullopt.
std::optional<std::vector<std::string>> json_array(std::string_view arg) {
    if (!arg.starts_with("[")) return std::nullopt;
    auto doc = parse_json(arg);
    if (!doc || !doc->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : *doc) {
        if (!v.is_string()) return std::nullopt;
        out.push_back(v.get<std::string>());
    }
    return out;
}

std::vector<std::string> command_form(std::string_view arg) {
    if (auto exec = json_array(arg)) return *exec;
    return {"/bin/sh", "-c", std::string(arg)};
}

// KEY=VALUE pairs, or the legacy single `KEY VALUE`.
Result<std::vector<std::pair<std::string, std::string>>> key_values(std::string_view arg) {
    std::vector<std::pair<std::string, std::string>> out;
    auto words = TRY(shell_words(arg));
    if (words.empty()) return fail("missing arguments");
    if (words[0].find('=') == std::string::npos) {
        if (words.size() < 2) return fail("`" + words[0] + "` needs a value");
        auto rest = trim(arg.substr(arg.find(words[0]) + words[0].size()));
        return std::vector<std::pair<std::string, std::string>>{{words[0], std::string(rest)}};
    }
    for (const auto& w : words) {
        auto kv = split_once(w, '=');
        if (!kv || kv->first.empty()) return fail("`" + w + "` is not KEY=VALUE");
        out.emplace_back(std::string(kv->first), std::string(kv->second));
    }
    return out;
}

Result<void> apply(ContainerConfig& c, const std::string& cmd, std::string_view arg) {
    if (cmd == "CMD") {
        c.cmd = command_form(arg);
    } else if (cmd == "ENTRYPOINT") {
        c.entrypoint = command_form(arg);
    } else if (cmd == "ENV") {
        auto kvs = TRY(key_values(arg));
        if (!c.env) c.env = std::vector<std::string>{};
        for (auto& [k, v] : kvs) {  // a variable set again keeps its place, as docker's
            auto it = std::find_if(c.env->begin(), c.env->end(),
                                   [&](const std::string& e) { return e.starts_with(k + "="); });
            if (it != c.env->end())
                *it = k + "=" + v;
            else
                c.env->push_back(k + "=" + v);
        }
    } else if (cmd == "LABEL") {
        auto kvs = TRY(key_values(arg));
        if (!c.labels) c.labels = std::map<std::string, std::string>{};
        for (auto& [k, v] : kvs) (*c.labels)[k] = v;
    } else if (cmd == "EXPOSE") {
        for (auto& p : TRY(shell_words(arg))) {
            auto [port, proto] = split_once(p, '/').value_or(std::pair{std::string_view(p), "tcp"});
            if (!parse_u64(port) || (proto != "tcp" && proto != "udp" && proto != "sctp"))
                return fail("invalid port `" + p + "`");
            c.exposed_ports.insert(std::string(port) + "/" + std::string(proto));
        }
    } else if (cmd == "USER") {
        c.user = std::string(arg);
    } else if (cmd == "WORKDIR") {
        std::string dir(arg);
        if (!dir.starts_with("/")) dir = (c.working_dir.empty() ? "/" : c.working_dir + "/") + dir;
        c.working_dir = dir;
    } else if (cmd == "VOLUME") {
        auto vols = json_array(arg);
        if (!vols) vols = TRY(shell_words(arg));
        if (!c.volumes) c.volumes = std::set<std::string>{};
        for (auto& v : *vols) c.volumes->insert(v);
    } else if (cmd == "STOPSIGNAL") {
        c.stop_signal = std::string(arg);
    } else if (cmd == "ONBUILD") {
        if (!c.on_build) c.on_build = std::vector<std::string>{};
        c.on_build->push_back(std::string(arg));
    } else {
        return fail(cmd + " is not a valid change command (valid: CMD, ENTRYPOINT, ENV, EXPOSE, "
                          "LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)");
    }
    return {};
}

}  // namespace

Result<void> apply_change(ContainerConfig& config, std::string_view change) {
    std::string_view s = trim(change);
    if (s.empty()) return {};  // no instruction, as docker's parser reads an empty change
    size_t sp = s.find_first_of(" \t");
    std::string cmd = to_lower(s.substr(0, sp));
    std::transform(cmd.begin(), cmd.end(), cmd.begin(), [](char ch) {
        return static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    });
    std::string_view arg = sp == std::string_view::npos ? "" : trim(s.substr(sp));
    auto r = apply(config, cmd, arg);
    if (!r) return std::unexpected(std::move(r.error()).prefix("--change `" + std::string(s) + "`"));
    return {};
}

}  // namespace ferry::image
