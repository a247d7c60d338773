// pflag-compatible parsing. Errors name the flag as the user typed it; the command prefix and the
// pointer to --help are added here so every command reports the same way.

#include "ferry/cli/flags.hpp"

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::cli {

FlagSet::FlagSet(std::string command, std::string usage, std::string summary,
                 Interspersed interspersed)
    : m_command(std::move(command)),
      m_usage(std::move(usage)),
      m_summary(std::move(summary)),
      m_interspersed(interspersed) {}

void FlagSet::add_bool(char short_name, std::string name, bool* target, std::string help) {
    m_flags.push_back({short_name, std::move(name), Kind::boolean, "", std::move(help),
                       [target](const std::string& v) -> std::string {
                           if (v == "true" || v == "1" || v == "t" || v == "TRUE" || v == "True")
                               *target = true;
                           else if (v == "false" || v == "0" || v == "f" || v == "FALSE" ||
                                    v == "False")
                               *target = false;
                           else
                               return "strconv.ParseBool: parsing \"" + v + "\": invalid syntax";
                           return "";
                       }});
}

void FlagSet::add_string(char short_name, std::string name, std::string* target, std::string help,
                         std::string value_name) {
    m_flags.push_back({short_name, std::move(name), Kind::value, std::move(value_name),
                       std::move(help), [target](const std::string& v) -> std::string {
                           *target = v;
                           return "";
                       }});
}

void FlagSet::add_optional(char short_name, std::string name, std::optional<std::string>* target,
                           std::string help, std::string value_name) {
    m_flags.push_back({short_name, std::move(name), Kind::value, std::move(value_name),
                       std::move(help), [target](const std::string& v) -> std::string {
                           *target = v;
                           return "";
                       }});
}

void FlagSet::add_list(char short_name, std::string name, std::vector<std::string>* target,
                       std::string help, std::string value_name) {
    m_flags.push_back({short_name, std::move(name), Kind::value, std::move(value_name),
                       std::move(help), [target](const std::string& v) -> std::string {
                           target->push_back(v);
                           return "";
                       }});
}

void FlagSet::add_int(char short_name, std::string name, int64_t* target, std::string help,
                      std::string value_name) {
    m_flags.push_back({short_name, std::move(name), Kind::value, std::move(value_name),
                       std::move(help), [target](const std::string& v) -> std::string {
                           auto n = parse_i64(v);
                           if (!n) return "strconv.ParseInt: parsing \"" + v + "\": invalid syntax";
                           *target = *n;
                           return "";
                       }});
}

void FlagSet::add_custom(char short_name, std::string name, std::string value_name,
                         std::string help, std::function<std::string(const std::string&)> apply) {
    m_flags.push_back({short_name, std::move(name), Kind::value, std::move(value_name),
                       std::move(help), std::move(apply)});
}

void FlagSet::add_optional_value(std::string name, std::string value_name, std::string implicit,
                                 std::string help,
                                 std::function<std::string(const std::string&)> apply) {
    m_flags.push_back({0, std::move(name), Kind::optional_value, std::move(value_name),
                       std::move(help), std::move(apply), std::move(implicit)});
}

void FlagSet::add_filters(char short_name, std::vector<std::string>* target, std::string help) {
    add_custom(short_name, "filter", "filter", std::move(help),
               [target](const std::string& v) -> std::string {
                   if (!v.empty() && v.find('=') == std::string::npos)
                       return "bad format of filter (expected name=value)";
                   target->push_back(v);
                   return "";
               });
}

const FlagSet::Flag* FlagSet::find_long(std::string_view name) const {
    for (const auto& f : m_flags)
        if (f.name == name) return &f;
    return nullptr;
}

const FlagSet::Flag* FlagSet::find_short(char c) const {
    for (const auto& f : m_flags)
        if (f.short_name == c) return &f;
    return nullptr;
}

Result<void> FlagSet::apply(const Flag& flag, const std::string& value, bool from_short) {
    std::string err = flag.apply(value);
    if (err.empty()) return {};
    std::string shown = flag.short_name ? std::string("-") + flag.short_name + ", --" + flag.name
                                        : "--" + flag.name;
    (void)from_short;
    return fail("invalid argument \"" + value + "\" for \"" + shown + "\" flag: " + err +
                " (see `" + m_command + " --help`)");
}

namespace {
// The capture of this thread, if any (FlagCapture).
thread_local FlagCapture* t_capture = nullptr;
}  // namespace

FlagCapture::FlagCapture() { t_capture = this; }
FlagCapture::~FlagCapture() { t_capture = nullptr; }
bool FlagCapture::active() { return t_capture != nullptr; }
bool FlagCapture::record(const FlagSetInfo& info) {
    if (!t_capture) return false;
    if (!t_capture->m_info) t_capture->m_info = info;
    return true;
}

FlagSetInfo FlagSet::info() const {
    FlagSetInfo out{m_command, m_usage, m_summary, m_details, m_aliases, m_interspersed, {}};
    for (const auto& f : m_flags)
        out.flags.push_back({f.short_name, f.name, f.kind == Kind::value,
                             f.kind == Kind::boolean ? "" : f.value_name,
                             f.help, f.kind == Kind::optional_value});
    return out;
}

Result<std::vector<std::string>> FlagSet::parse(std::span<const std::string> args) {
    if (FlagCapture::record(info())) return fail("flags captured");
    std::vector<std::string> positional;
    const std::string hint = " (see `" + m_command + " --help`)";
    auto error = [&](std::string msg) { return fail(msg + hint); };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1,
                              args.end());
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            positional.push_back(arg);
            if (m_interspersed == Interspersed::no) {
                positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1,
                                  args.end());
                break;
            }
            continue;
        }
        if (arg[1] == '-') {  // --name, --name=value
            std::string body = arg.substr(2);
            std::optional<std::string> value;
            if (auto eq = body.find('='); eq != std::string::npos) {
                value = body.substr(eq + 1);
                body.resize(eq);
            }
            const Flag* flag = find_long(body);
            if (!flag) {
                if (body == "help") {
                    m_help = true;
                    continue;
                }
                return error("unknown flag: --" + body);
            }
            if (flag->kind == Kind::boolean) {
                TRY(apply(*flag, value.value_or("true"), false));
                continue;
            }
            if (flag->kind == Kind::optional_value) {
                TRY(apply(*flag, value.value_or(flag->implicit), false));
                continue;
            }
            if (!value) {
                if (i + 1 >= args.size()) return error("flag needs an argument: --" + body);
                value = args[++i];
            }
            TRY(apply(*flag, *value, false));
            continue;
        }
        // -abc, -e value, -evalue, -e=value
        for (size_t j = 1; j < arg.size(); ++j) {
            char c = arg[j];
            const Flag* flag = find_short(c);
            if (!flag) {
                if (c == 'h') {
                    m_help = true;
                    continue;
                }
                return error(std::string("unknown shorthand flag: '") + c + "' in " + arg);
            }
            if (flag->kind == Kind::boolean) {
                if (j + 1 < arg.size() && arg[j + 1] == '=') {
                    TRY(apply(*flag, arg.substr(j + 2), true));
                    break;
                }
                TRY(apply(*flag, "true", true));
                continue;
            }
            std::string value;
            if (j + 1 < arg.size()) {
                value = arg.substr(arg[j + 1] == '=' ? j + 2 : j + 1);
            } else {
                if (i + 1 >= args.size())
                    return error(std::string("flag needs an argument: '") + c + "' in -" + c);
                value = args[++i];
            }
            TRY(apply(*flag, value, true));
            break;
        }
    }
    return positional;
}

std::string FlagSet::help_text() const {
    std::string out = "\nUsage:  " + m_command + (m_usage.empty() ? "" : " " + m_usage) + "\n\n" +
                      m_summary + "\n";
    if (!m_aliases.empty()) out += "\nAliases:\n  " + m_aliases + "\n";
    if (!m_details.empty()) out += "\n" + m_details + "\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& f : m_flags) {
        std::string left = f.short_name ? std::string("-") + f.short_name + ", " : "    ";
        left += "--" + f.name;
        if (f.kind == Kind::value) left += " " + f.value_name;
        if (f.kind == Kind::optional_value) left += "[=" + f.value_name + "]";
        rows.emplace_back(left, f.help);
    }
    rows.emplace_back("    --help", "Print usage");
    size_t width = 0;
    for (auto& r : rows) width = std::max(width, r.first.size());
    out += "\nOptions:\n";
    for (auto& [left, help] : rows) {  // a help of several lines continues in its column
        auto lines = split(help, '\n');
        out += "  " + left + std::string(width - left.size() + 3, ' ') + lines[0] + "\n";
        for (size_t i = 1; i < lines.size(); ++i)
            out += std::string(width + 5, ' ') + lines[i] + "\n";
    }
    return out;
}

Result<void> check_arg_count(const FlagSet& flags, const std::vector<std::string>& args, int min,
                             int max) {
    const int n = static_cast<int>(args.size());
    if (n >= min && (max < 0 || n <= max)) return {};
    auto plural = [](int k) { return std::to_string(k) + (k == 1 ? " argument" : " arguments"); };
    std::string what;
    if (min == max)
        what = "requires exactly " + plural(min);
    else if (max < 0)
        what = "requires at least " + plural(min);
    else if (n < min)
        what = "requires at least " + plural(min);
    else
        what = "requires at most " + plural(max);
    return fail("`" + flags.command() + "` " + what + " (see `" + flags.command() + " --help`)");
}

}  // namespace ferry::cli
