// Typing the parser's nodes into instructions, as BuildKit's instructions.ParseInstruction
// does. Each keyword checks its argument count, then its flags (BuildKit's BFlags:
// `--name=value`, booleans also bare, repeatable ones collected, unknown ones refused with a
// "did you mean"), then its own rules, in BuildKit's order, because the first failure is the one
// reported. A few keywords read no flags at all (ARG, STOPSIGNAL, HEALTHCHECK NONE), as in
// BuildKit, so flags given to them are silently ignored.

#include "ferry/build/instructions.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "ferry/build/ast.hpp"
#include "ferry/build/go_text.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

// BuildKit's BFlags: the flags an instruction accepts, filled in by parse().
class Flags {
  public:
    enum class Kind { boolean, string, strings };
    struct Flag {
        Kind kind;
        std::string value;
        std::vector<std::string> values;
        bool used = false;
    };

    explicit Flags(const std::vector<std::string>& args) : m_args(args) {}

    Flag& add(std::string name, Kind kind, std::string def = "") {
        m_names.push_back(name);
        return m_flags.emplace(std::move(name), Flag{kind, std::move(def), {}, false})
            .first->second;
    }

    Result<void> parse() {
        for (const auto& a : m_args) {
            if (a == "--") return {};
            if (a.rfind("--", 0) != 0) return fail("arg should start with -- : " + a);
            size_t eq = a.find('=');
            bool has_value = eq != std::string::npos;
            std::string flag_name = a.substr(0, eq);
            std::string value = has_value ? a.substr(eq + 1) : "";
            std::string name = flag_name.substr(2);
            auto it = m_flags.find(name);
            if (it == m_flags.end()) {
                std::vector<std::string_view> names(m_names.begin(), m_names.end());
                return fail(with_suggestion("unknown flag: " + flag_name, name, names, true));
            }
            Flag& f = it->second;
            if (f.used && f.kind != Kind::strings)
                return fail("duplicate flag specified: " + flag_name);
            if (!f.used) m_used.push_back(name);
            f.used = true;
            if (f.kind == Kind::boolean) {
                if (has_value && value.empty())
                    return fail("missing a value on flag: " + flag_name);
                std::string v = to_lower(value);
                if (v != "true" && v != "" && v != "false")
                    return fail("expecting boolean value for flag " + flag_name +
                                ", not: " + value);
                f.value = v == "false" ? "false" : "true";
                continue;
            }
            if (!has_value) return fail("missing a value on flag: " + flag_name);
            if (f.kind == Kind::string)
                f.value = value;
            else
                f.values.push_back(value);
        }
        return {};
    }

    const std::vector<std::string>& used() const { return m_used; }

  private:
    const std::vector<std::string>& m_args;
    std::map<std::string, Flag> m_flags;
    std::vector<std::string> m_names;
    std::vector<std::string> m_used;
};

using Kind = Flags::Kind;

SourceInfo source_info(const Node& n) {
    return {n.keyword, std::string(go_trim_space(n.original)), n.line, n.end_line};
}

std::string at_least_one(std::string_view cmd) {
    return std::string(cmd) + " requires at least one argument";
}
std::string exactly_one(std::string_view cmd) {
    return std::string(cmd) + " requires exactly one argument";
}

Result<std::vector<KeyValue>> key_values(const std::vector<std::string>& args,
                                         std::string_view cmd) {
    if (args.empty()) return fail(at_least_one(cmd));
    if (args.size() % 3 != 0)
        return fail("Bad input to " + std::string(cmd) + ", too many arguments");
    std::vector<KeyValue> out;
    for (size_t i = 0; i < args.size(); i += 3) {
        if (args[i].empty()) return fail(std::string(cmd) + " names can not be blank");
        out.push_back({args[i], args[i + 1], args[i + 2].empty()});
    }
    return out;
}

// handleJSONArgs: exec form keeps the array, shell form is the one text.
CommandLine command_line(const Node& n) {
    CommandLine c;
    c.exec_form = n.json;
    if (!n.args.empty()) c.args = n.json ? n.args : std::vector<std::string>{join(n.args, " ")};
    c.files = n.heredocs;
    return c;
}

Result<SourcesAndDest> sources_and_dest(const Node& n, std::string_view cmd) {
    SourcesAndDest out;
    out.dest = n.args.back();
    auto dest_doc = heredoc_from_word(out.dest);
    if (dest_doc && *dest_doc)
        return fail(std::string(cmd) + " cannot accept a heredoc as a destination");
    std::map<std::string, const Heredoc*> by_name;
    for (const auto& h : n.heredocs)
        by_name[h.name] = &h;
    for (size_t i = 0; i + 1 < n.args.size(); ++i) {
        auto doc = heredoc_from_word(n.args[i]);
        if (!doc || !*doc) {
            out.sources.push_back(n.args[i]);
            continue;
        }
        auto it = by_name.find((*doc)->name);
        std::string data = it == by_name.end() ? "" : it->second->content;
        if ((*doc)->chomp) data = chomp_heredoc(data);
        out.inline_sources.push_back({(*doc)->name, std::move(data), (*doc)->expand});
    }
    return out;
}

std::string no_destination(std::string_view cmd) {
    return std::string(cmd) +
           " requires at least two arguments, but only one was provided. Destination could not "
           "be determined";
}

Result<Instruction> parse_copy(const Node& n) {
    if (n.args.size() < 2) return fail(no_destination("COPY"));
    Flags fl(n.flags);
    auto& chown = fl.add("chown", Kind::string);
    auto& from = fl.add("from", Kind::string);
    auto& chmod = fl.add("chmod", Kind::string);
    auto& link = fl.add("link", Kind::boolean, "false");
    auto& exclude = fl.add("exclude", Kind::strings);
    auto& parents = fl.add("parents", Kind::boolean, "false");
    TRY(fl.parse());
    CopyInstruction c;
    c.source = source_info(n);
    c.paths = TRY(sources_and_dest(n, "COPY"));
    c.from = from.value;
    c.chown = chown.value;
    c.chmod = chmod.value;
    c.link = link.value == "true";
    c.parents = parents.value == "true";
    c.excludes = exclude.values;
    c.exec_form = n.json;
    return c;
}

Result<Instruction> parse_add(const Node& n) {
    if (n.args.size() < 2) return fail(no_destination("ADD"));
    Flags fl(n.flags);
    auto& chown = fl.add("chown", Kind::string);
    auto& chmod = fl.add("chmod", Kind::string);
    auto& link = fl.add("link", Kind::boolean, "false");
    auto& keep_git = fl.add("keep-git-dir", Kind::boolean, "false");
    auto& checksum = fl.add("checksum", Kind::string);
    auto& unpack = fl.add("unpack", Kind::boolean, "false");
    auto& exclude = fl.add("exclude", Kind::strings);
    TRY(fl.parse());
    AddInstruction a;
    a.source = source_info(n);
    a.paths = TRY(sources_and_dest(n, "ADD"));
    a.chown = chown.value;
    a.chmod = chmod.value;
    a.link = link.value == "true";
    a.excludes = exclude.values;
    if (keep_git.used) a.keep_git_dir = keep_git.value == "true";
    a.checksum = checksum.value;
    if (unpack.used) a.unpack = unpack.value == "true";
    a.exec_form = n.json;
    return a;
}

Result<Instruction> parse_onbuild(const Node& n) {
    if (n.args.empty()) return fail(at_least_one("ONBUILD"));
    TRY(Flags(n.flags).parse());
    std::string trigger(go_trim_space(n.args[0]));
    for (char& c : trigger)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (trigger == "ONBUILD") return fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (trigger == "MAINTAINER" || trigger == "FROM")
        return fail(trigger + " isn't allowed as an ONBUILD trigger");
    // (?i)^\s*ONBUILD\s* removed from the text.
    std::string_view expr = n.original;
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    };
    size_t i = 0;
    while (i < expr.size() && space(expr[i]))
        ++i;
    if (to_lower(expr.substr(i, 7)) == "onbuild") {
        i += 7;
        while (i < expr.size() && space(expr[i]))
            ++i;
        expr.remove_prefix(i);
    }
    std::string expression(expr);
    for (const auto& h : n.heredocs)
        expression += "\n" + h.content + h.name;
    return OnbuildInstruction{source_info(n), trigger, expression};
}

Result<Instruction> parse_run(const Node& n) {
    Flags fl(n.flags);
    auto& device = fl.add("device", Kind::strings);
    auto& mount = fl.add("mount", Kind::strings);
    auto& network = fl.add("network", Kind::string, "default");
    auto& security = fl.add("security", Kind::string, "sandbox");
    TRY(fl.parse());
    RunInstruction r;
    r.source = source_info(n);
    r.command = command_line(n);
    r.flags_used = fl.used();
    for (const auto& d : device.values)
        r.devices.push_back(TRY(parse_device(d)));
    for (const auto& m : mount.values)
        TRY(check_mount_syntax(m));
    r.mounts = mount.values;
    if (network.value != "default" && network.value != "none" && network.value != "host")
        return fail("invalid network mode " + go_quote(network.value));
    r.network = network.value;
    if (security.value != "sandbox" && security.value != "insecure")
        return fail("security " + go_quote(security.value) + " is not valid");
    r.security = security.value;
    return r;
}

// parseOptInterval: 0 when not given; below 1ms (but not 0) is refused.
Result<int64_t> interval(const std::string& name, const Flags::Flag& f) {
    if (f.value.empty()) return 0;
    int64_t d = TRY(parse_go_duration(f.value));
    if (d == 0) return 0;
    if (d < 1000000) return fail("Interval " + go_quote(name) + " cannot be less than 1ms");
    return d;
}

// strconv.ParseInt(s, 10, 32), with its error words.
Result<int64_t> parse_int32(const std::string& s) {
    std::string_view digits = s;
    bool neg = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
    auto error = [&](std::string_view why) {
        return fail("strconv.ParseInt: parsing " + go_quote(s) + ": " + std::string(why));
    };
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
        return error("invalid syntax");
    int64_t v = 0;
    for (char c : digits) {
        v = v * 10 + (c - '0');
        if (v > int64_t{1} << 31) return error("value out of range");
    }
    if (neg) v = -v;
    if (v > INT32_MAX || v < INT32_MIN) return error("value out of range");
    return v;
}

Result<Instruction> parse_healthcheck(const Node& n) {
    if (n.args.empty()) return fail(at_least_one("HEALTHCHECK"));
    HealthcheckInstruction h;
    h.source = source_info(n);
    std::string type = n.args[0];
    for (char& c : type)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::vector<std::string> args(n.args.begin() + 1, n.args.end());
    if (type == "NONE") {
        if (!args.empty()) return fail("HEALTHCHECK NONE takes no arguments");
        h.health.test = {type};
        return h;
    }
    Flags fl(n.flags);
    auto& interval_flag = fl.add("interval", Kind::string);
    auto& timeout = fl.add("timeout", Kind::string);
    auto& start_period = fl.add("start-period", Kind::string);
    auto& start_interval = fl.add("start-interval", Kind::string);
    auto& retries = fl.add("retries", Kind::string);
    TRY(fl.parse());
    if (type != "CMD") return fail("Unknown type " + go_quote(type) + " in HEALTHCHECK (try CMD)");
    if (args.empty()) return fail("Missing command after HEALTHCHECK CMD");
    h.health.test = {n.json ? "CMD" : "CMD-SHELL"};
    if (n.json)
        h.health.test.insert(h.health.test.end(), args.begin(), args.end());
    else
        h.health.test.push_back(join(args, " "));
    h.health.interval = TRY(interval("interval", interval_flag));
    h.health.timeout = TRY(interval("timeout", timeout));
    h.health.start_period = TRY(interval("start-period", start_period));
    h.health.start_interval = TRY(interval("start-interval", start_interval));
    if (!retries.value.empty()) {
        int64_t v = TRY(parse_int32(retries.value));
        if (v < 0) return fail("--retries cannot be negative (" + std::to_string(v) + ")");
        h.health.retries = static_cast<int>(v);
    }
    return h;
}

Result<Instruction> parse_shell_form_free(const Node& n, std::string_view kw) {
    if (kw == "cmd") {
        TRY(Flags(n.flags).parse());
        return CmdInstruction{source_info(n), command_line(n)};
    }
    if (kw == "entrypoint") {
        TRY(Flags(n.flags).parse());
        return EntrypointInstruction{source_info(n), command_line(n)};
    }
    // SHELL
    TRY(Flags(n.flags).parse());
    if (n.args.empty()) return fail(at_least_one("SHELL"));
    if (!n.json) return fail("SHELL requires the arguments to be in JSON form");
    return ShellInstruction{source_info(n), n.args};
}

Result<Instruction> parse_single(const Node& n, std::string_view kw) {
    std::string upper(kw);
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (n.args.size() != 1) return fail(exactly_one(upper));
    if (kw == "stopsignal") return StopSignalInstruction{source_info(n), n.args[0]};  // no flags
    TRY(Flags(n.flags).parse());
    if (kw == "workdir") return WorkdirInstruction{source_info(n), n.args[0]};
    if (kw == "user") return UserInstruction{source_info(n), n.args[0]};
    return MaintainerInstruction{source_info(n), n.args[0]};
}

Result<Instruction> parse_list(const Node& n, std::string_view kw) {
    if (kw == "expose") {
        if (n.args.empty()) return fail(at_least_one("EXPOSE"));
        TRY(Flags(n.flags).parse());
        std::vector<std::string> ports = n.args;
        std::sort(ports.begin(), ports.end());
        return ExposeInstruction{source_info(n), std::move(ports)};
    }
    if (kw == "volume") {
        if (n.args.empty()) return fail(at_least_one("VOLUME"));
        TRY(Flags(n.flags).parse());
        VolumeInstruction v;
        v.source = source_info(n);
        for (const auto& a : n.args) {
            std::string t(go_trim_space(a));
            if (t.empty()) return fail("VOLUME specified can not be an empty string");
            v.volumes.push_back(std::move(t));
        }
        return v;
    }
    // ARG: no flags are read at all, as BuildKit.
    if (n.args.empty()) return fail(at_least_one("ARG"));
    ArgInstruction a;
    a.source = source_info(n);
    for (const auto& word : n.args) {
        size_t eq = word.find('=');
        if (eq == std::string::npos) {
            a.args.push_back({word, std::nullopt});
            continue;
        }
        if (eq == 0) return fail("ARG names can not be blank");
        a.args.push_back({word.substr(0, eq), word.substr(eq + 1)});
    }
    return a;
}

constexpr std::string_view k_instructions[] = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};

bool valid_stage_name(std::string_view s) {
    if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

}  // namespace

Result<Instruction> parse_instruction(const Node& n) {
    std::string kw = to_lower(n.keyword);
    if (kw == "env") {
        TRY(Flags(n.flags).parse());
        std::vector<KeyValue> env = TRY(key_values(n.args, "ENV"));
        return EnvInstruction{source_info(n), std::move(env)};
    }
    if (kw == "label") {
        TRY(Flags(n.flags).parse());
        std::vector<KeyValue> labels = TRY(key_values(n.args, "LABEL"));
        return LabelInstruction{source_info(n), std::move(labels)};
    }
    if (kw == "maintainer" || kw == "workdir" || kw == "user" || kw == "stopsignal")
        return parse_single(n, kw);
    if (kw == "add") return parse_add(n);
    if (kw == "copy") return parse_copy(n);
    if (kw == "onbuild") return parse_onbuild(n);
    if (kw == "run") return parse_run(n);
    if (kw == "cmd" || kw == "entrypoint" || kw == "shell") return parse_shell_form_free(n, kw);
    if (kw == "healthcheck") return parse_healthcheck(n);
    if (kw == "expose" || kw == "volume" || kw == "arg") return parse_list(n, kw);
    return fail(
        with_suggestion("unknown instruction: " + n.keyword, n.keyword, k_instructions, false));
}

Result<Stage> parse_from(const Node& n) {
    Stage st;
    if (n.args.size() == 3 && to_lower(n.args[1]) == "as") {
        st.name = to_lower(n.args[2]);
        if (!valid_stage_name(st.name))
            return fail("invalid name for build stage: " + go_quote(n.args[2]) +
                        ", name can't start with a number or contain symbols");
    } else if (n.args.size() != 1) {
        return fail("FROM requires either one or three arguments");
    }
    Flags fl(n.flags);
    auto& platform = fl.add("platform", Kind::string);
    TRY(fl.parse());
    st.source = source_info(n);
    st.base = n.args[0];
    st.platform = platform.value;
    return st;
}

const SourceInfo& source_of(const Instruction& instruction) {
    return std::visit([](const auto& i) -> const SourceInfo& { return i.source; }, instruction);
}

}  // namespace ferry::build
