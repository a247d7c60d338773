// The metadata half of BuildKit's dockerfile2llb (convert.go, convert_expose.go), redone as
// pure functions over an ImageConfig. BuildKit keeps two things per stage: the image config it
// will write, and an LLB state whose environment is what variables expand against and what RUN
// sees. We keep the same two: StageState::image and StageState::env. ENV writes both; ARG
// writes only env (so build args reach RUN and expansions but never the config); the base
// image's Env seeds env. Every instruction is expanded before it is dispatched, against env as
// it stood before the instruction (so `ENV a=1 b=$a` sees the old a), except ARG, whose default
// is expanded by its own dispatcher, and EXPOSE, split into words. History entries are the
// strings the dispatchers pass to commitToHistory, Go's %v and %q formatting included; a RUN
// gets " # buildkit" and a layer, WORKDIR a layer unless it is "/", everything else an empty
// layer, ONBUILD none at all.

#include "ferry/build/stage_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "ferry/build/go_text.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

constexpr std::string_view k_history_comment = "buildkit.dockerfile.v0";
constexpr std::string_view k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// ARGs that never enter the environment (BuildKit's nonEnvArgs).
bool is_non_env_arg(std::string_view key) {
    return key == "BUILDKIT_SBOM_SCAN_CONTEXT" || key == "BUILDKIT_SBOM_SCAN_STAGE";
}

bool is_proxy_arg(std::string_view key) {
    return std::ranges::find(k_proxy_args, key) != std::end(k_proxy_args);
}

bool is_automatic_arg(std::string_view key) {
    static constexpr std::string_view names[] = {
        "BUILDPLATFORM", "BUILDOS",        "BUILDOSVERSION", "BUILDARCH",
        "BUILDVARIANT",  "TARGETPLATFORM", "TARGETOS",       "TARGETOSVERSION",
        "TARGETARCH",    "TARGETVARIANT",  "TARGETSTAGE"};
    return std::ranges::find(names, key) != std::end(names);
}

// Go's fmt %v of a []string: `[a b c]`.
std::string go_list(const std::vector<std::string>& items) {
    return "[" + join(items, " ") + "]";
}

// Go's fmt %q of a []string: `["a" "b"]`.
std::string go_quoted_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ' ';
        out += go_quote(items[i]);
    }
    return out + "]";
}

void add_history(StageState& state, std::string created_by, bool with_layer) {
    HistoryEntry entry;
    entry.created_by = std::move(created_by);
    entry.comment = std::string(k_history_comment);
    entry.empty_layer = !with_layer;
    state.image.history.push_back(std::move(entry));
}

// llb.State.AddEnv: a name set again moves to the end.
void set_variable(StageState& state, const std::string& key, const std::string& value) {
    std::erase_if(state.env, [&](const auto& kv) { return kv.first == key; });
    state.env.emplace_back(key, value);
}

// BuildKit's addEnv on the config's Env: replace in place, else append.
void add_config_env(std::vector<std::string>& env, const std::string& key,
                    const std::string& value) {
    for (auto& entry : env) {
        if (entry.substr(0, entry.find('=')) == key) {
            entry = key + "=" + value;
            return;
        }
    }
    env.push_back(key + "=" + value);
}

ContainerConfig& config_of(StageState& state) {
    if (!state.image.config) state.image.config.emplace();
    return *state.image.config;
}

Result<std::string> expand(const StageState& state, const std::string& word) {
    return process_word(word, state.variables(), state.escape);
}

// The shell form's command as BuildKit's withShell builds it.
std::vector<std::string> with_shell(const StageState& state, const std::vector<std::string>& args) {
    std::vector<std::string> out = state.shell();
    out.push_back(join(args, " "));
    return out;
}

// system.NormalizeWorkdir on Linux: relative to the current directory (or "/"), cleaned when
// joined; an absolute path is kept as written.
std::string normalize_workdir(const std::string& current, const std::string& wd) {
    std::string parent = current.empty() ? "/" : current;
    if (parent.front() != '/') parent = clean_path("/" + parent);
    std::string path = wd.empty() ? parent : wd;
    if (path.front() != '/') path = clean_path(parent + "/" + path);
    return path;
}

// ---- EXPOSE: BuildKit's portSpecs.parsePort ----

// strconv.ParseInt(s, 10, 0) limited to 0-65535.
std::optional<int> parse_port_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    int64_t v = 0;
    for (; i < s.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
        v = v * 10 + (s[i] - '0');
        if (v > 65535) return std::nullopt;
    }
    if (s[0] == '-' && v != 0) return std::nullopt;
    return static_cast<int>(v);
}

std::optional<std::pair<int, int>> parse_port_range(std::string_view ports) {
    if (ports.empty()) return std::nullopt;
    size_t dash = ports.find('-');
    std::string_view start = ports.substr(0, dash);
    auto first = parse_port_number(start);
    if (!first) return std::nullopt;
    if (dash == std::string_view::npos) return std::pair{*first, *first};
    std::string_view end = ports.substr(dash + 1);
    if (start == end) return std::pair{*first, *first};
    auto last = parse_port_number(end);
    if (!last || *last < *first) return std::nullopt;
    return std::pair{*first, *last};
}

bool is_ip_address(std::string_view ip) {
    if (ip.find(':') != std::string_view::npos) {  // IPv6: hex groups, at most one "::"
        return ip.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos;
    }
    auto parts = split(ip, '.');
    if (parts.size() != 4) return false;
    for (const auto& p : parts) {
        if (p.empty() || p.size() > 3 || !std::ranges::all_of(p, ::isdigit) || std::stoi(p) > 255)
            return false;
    }
    return true;
}

// "[ip:][hostPort:]containerPort[/proto]" into "port/proto" for each container port.
Result<std::vector<std::string>> parse_port(const std::string& raw) {
    auto parts = split(raw, ':');
    std::string ip, host_port, container_port;
    size_t n = parts.size();
    container_port = parts[n - 1];
    if (n >= 2) host_port = parts[n - 2];
    if (n >= 3) {
        std::vector<std::string> head(parts.begin(), parts.end() - 2);
        ip = join(head, ":");
    }
    size_t slash = container_port.find('/');
    std::string proto = slash == std::string::npos ? "" : container_port.substr(slash + 1);
    container_port = container_port.substr(0, slash);
    if (container_port.empty())
        return fail("invalid port: " + go_quote(raw) + ": no port specified");
    std::string lower = proto;
    std::ranges::transform(lower, lower.begin(), ::tolower);
    if (lower.empty()) {
        lower = "tcp";
    } else if (lower != "tcp" && lower != "udp" && lower != "sctp") {
        return fail("invalid port: " + go_quote(raw) + ": invalid proto: " + proto);
    }
    if (!ip.empty() && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (!ip.empty() && !is_ip_address(ip)) return fail("invalid IP address: " + ip);
    auto range = parse_port_range(container_port);
    if (!range) return fail("invalid containerPort: " + container_port);
    if (!host_port.empty()) {
        auto host = parse_port_range(host_port);
        if (!host) return fail("invalid hostPort: " + host_port);
        if (range->second - range->first != host->second - host->first &&
            range->second != range->first)
            return fail("invalid ranges specified for container and host Ports: " + container_port +
                        " and " + host_port);
    }
    std::vector<std::string> out;
    for (int p = range->first; p <= range->second; ++p)
        out.push_back(std::to_string(p) + "/" + lower);
    return out;
}

// moby/sys/signal.ParseSignal on Linux: a non-zero number, or a name with or without SIG.
Result<void> check_signal(const std::string& raw) {
    int64_t number = 0;
    std::string_view digits = raw;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size()) {
        if (number == 0) return fail("invalid signal: " + raw);
        return {};
    }
    static const std::set<std::string, std::less<>> names = [] {
        std::set<std::string, std::less<>> s = {
            "ABRT", "ALRM",   "BUS",  "CHLD",   "CLD",   "CONT", "FPE",  "HUP",   "ILL",
            "INT",  "IO",     "IOT",  "KILL",   "PIPE",  "POLL", "PROF", "PWR",   "QUIT",
            "SEGV", "STKFLT", "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN",  "TTOU",
            "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX"};
        for (int i = 1; i <= 15; ++i)
            s.insert("RTMIN+" + std::to_string(i));
        for (int i = 1; i <= 14; ++i)
            s.insert("RTMAX-" + std::to_string(i));
        return s;
    }();
    std::string name = raw;
    std::ranges::transform(name, name.begin(), ::toupper);
    if (name.starts_with("SIG")) name.erase(0, 3);
    if (!names.contains(name)) return fail("invalid signal: " + raw);
    return {};
}

// HEALTHCHECK's history: Go's %+v of dockerspec.HealthcheckConfig.
std::string healthcheck_text(const HealthConfig& h) {
    return "{Test:" + go_list(h.test) + " Interval:" + go_duration_string(h.interval) +
           " Timeout:" + go_duration_string(h.timeout) +
           " StartPeriod:" + go_duration_string(h.start_period) +
           " StartInterval:" + go_duration_string(h.start_interval) +
           " Retries:" + std::to_string(h.retries) + "}";
}

// Whether a RUN's shell-form text is a lone here-document (`<<EOF`, `<<-"EOF"`), which
// BuildKit runs by handing its content to the shell.
bool is_lone_heredoc(std::string_view text) {
    size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
        ++i;
    if (text.substr(i, 2) != "<<") return false;
    return text.find_first_of(" \t\n", i) == std::string_view::npos;
}

// ---- the dispatchers ----

Result<StepAction> apply_env(StageState& state, const EnvInstruction& in) {
    std::string message = "ENV";
    std::vector<std::pair<std::string, std::string>> expanded;
    for (const auto& kv : in.env)
        expanded.emplace_back(TRY(expand(state, kv.key)), TRY(expand(state, kv.value)));
    auto& config = config_of(state);
    if (!config.env) config.env.emplace();
    for (const auto& [key, value] : expanded) {
        message += " " + key + "=" + value;
        set_variable(state, key, value);
        add_config_env(*config.env, key, value);
    }
    add_history(state, std::move(message), false);
    return StepAction{};
}

Result<StepAction> apply_label(StageState& state, const LabelInstruction& in) {
    std::string message = "LABEL";
    std::vector<std::pair<std::string, std::string>> expanded;
    for (const auto& kv : in.labels)
        expanded.emplace_back(TRY(expand(state, kv.key)), TRY(expand(state, kv.value)));
    auto& config = config_of(state);
    if (!config.labels) config.labels.emplace();
    for (const auto& [key, value] : expanded) {
        (*config.labels)[key] = value;
        message += " " + key + "=" + value;
    }
    add_history(state, std::move(message), false);
    return StepAction{};
}

// dispatchArg: a --build-arg wins, then the default (expanded), then, for an ARG with
// neither, the global value of the same name.
Result<StepAction> apply_arg(StageState& state, const ArgInstruction& in,
                             const BuildArgs& build_args) {
    std::vector<std::string> parts;
    for (ArgDefinition arg : in.args) {
        auto given = build_args.get(arg.key);
        if (given) {
            arg.value = *given;
        } else if (arg.value) {
            arg.value = TRY(expand(state, *arg.value));
        } else if (auto global = state.global_values.find(arg.key);
                   global != state.global_values.end()) {
            arg.value = global->second;
        }
        if (arg.value && !is_non_env_arg(arg.key)) set_variable(state, arg.key, *arg.value);
        parts.push_back(arg.value ? arg.key + "=" + *arg.value : arg.key);
        state.args.push_back(std::move(arg));
    }
    add_history(state, "ARG " + join(parts, " "), false);
    return StepAction{};
}

Result<StepAction> apply_workdir(StageState& state, const WorkdirInstruction& in) {
    std::string path = TRY(expand(state, in.path));
    auto& config = config_of(state);
    config.working_dir = normalize_workdir(config.working_dir, path);
    bool with_layer = config.working_dir != "/";
    add_history(state, "WORKDIR " + config.working_dir, with_layer);
    if (!with_layer) return StepAction{};
    return StepAction{MakeWorkdir{config.working_dir, config.user}};
}

Result<StepAction> apply_command(StageState& state, const CmdInstruction& in) {
    std::vector<std::string> args = in.command.args;
    if (!in.command.exec_form) args = with_shell(state, args);
    auto& config = config_of(state);
    config.cmd = args;
    config.args_escaped = true;
    state.cmd_set = true;
    add_history(state, "CMD " + go_quoted_list(args), false);
    return StepAction{};
}

Result<StepAction> apply_entrypoint(StageState& state, const EntrypointInstruction& in) {
    std::vector<std::string> args = in.command.args;
    if (!in.command.exec_form) args = with_shell(state, args);
    auto& config = config_of(state);
    if (args.empty())
        config.entrypoint.reset();
    else
        config.entrypoint = args;
    if (!state.cmd_set) config.cmd.reset();
    add_history(state, "ENTRYPOINT " + go_quoted_list(args), false);
    return StepAction{};
}

Result<StepAction> apply_expose(StageState& state, const ExposeInstruction& in) {
    std::vector<std::string> words;
    for (const auto& port : in.ports) {
        auto w = TRY(process_words(port, state.variables(), state.escape));
        words.insert(words.end(), w.begin(), w.end());
    }
    std::vector<std::string> ports;
    for (const auto& word : words) {
        auto p = TRY(parse_port(word));
        ports.insert(ports.end(), p.begin(), p.end());
    }
    auto& config = config_of(state);
    config.exposed_ports.insert(ports.begin(), ports.end());
    add_history(state, "EXPOSE " + go_list(ports), false);
    return StepAction{};
}

Result<StepAction> apply_volume(StageState& state, const VolumeInstruction& in) {
    std::vector<std::string> volumes;
    for (const auto& v : in.volumes)
        volumes.push_back(TRY(expand(state, v)));
    auto& config = config_of(state);
    if (!config.volumes) config.volumes.emplace();
    for (const auto& v : volumes) {
        if (v.empty()) return fail("VOLUME specified can not be an empty string");
        config.volumes->insert(v);
    }
    add_history(state, "VOLUME " + go_list(volumes), false);
    return StepAction{};
}

Result<StepAction> apply_healthcheck(StageState& state, const HealthcheckInstruction& in) {
    HealthConfig health;
    health.test = in.health.test;
    health.interval = in.health.interval;
    health.timeout = in.health.timeout;
    health.start_period = in.health.start_period;
    health.start_interval = in.health.start_interval;
    health.retries = in.health.retries;
    std::string text = healthcheck_text(health);
    config_of(state).healthcheck = std::move(health);
    add_history(state, "HEALTHCHECK " + text, false);
    return StepAction{};
}

// The instructions that change nothing but one config field.
Result<StepAction> apply_simple(StageState& state, const Instruction& instruction) {
    auto& config = config_of(state);
    if (auto* user = std::get_if<UserInstruction>(&instruction)) {
        config.user = TRY(expand(state, user->user));
        add_history(state, "USER " + config.user, false);
    } else if (auto* stop = std::get_if<StopSignalInstruction>(&instruction)) {
        std::string signal = TRY(expand(state, stop->signal));
        TRY(check_signal(signal));
        config.stop_signal = signal;
        add_history(state, "STOPSIGNAL " + signal, false);
    } else if (auto* shell = std::get_if<ShellInstruction>(&instruction)) {
        config.shell = shell->shell;
        add_history(state, "SHELL " + go_list(shell->shell), false);
    } else if (auto* onbuild = std::get_if<OnbuildInstruction>(&instruction)) {
        if (!config.on_build) config.on_build.emplace();
        config.on_build->push_back(onbuild->expression);
    } else if (auto* maintainer = std::get_if<MaintainerInstruction>(&instruction)) {
        state.image.author = maintainer->maintainer;
        add_history(state, "MAINTAINER " + maintainer->maintainer, false);
    }
    return StepAction{};
}

}  // namespace

std::string BuildPlatform::format() const {
    std::string out = os + "/" + architecture;
    if (!variant.empty()) out += "/" + variant;
    return out;
}

BuildArgs::BuildArgs(std::map<std::string, std::string> values, BuildPlatform build,
                     BuildPlatform target, std::string target_stage)
    : m_values(std::move(values)),
      m_build(std::move(build)),
      m_target(std::move(target)),
      m_target_stage(std::move(target_stage)) {}

std::optional<std::string> BuildArgs::get(std::string_view key) const {
    auto it = m_values.find(std::string(key));
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

ShellEnv BuildArgs::automatic() const {
    ShellEnv env = {
        {"BUILDPLATFORM", m_build.format()},
        {"BUILDOS", m_build.os},
        {"BUILDOSVERSION", ""},
        {"BUILDARCH", m_build.architecture},
        {"BUILDVARIANT", m_build.variant},
        {"TARGETPLATFORM", m_target.format()},
        {"TARGETOS", m_target.os},
        {"TARGETOSVERSION", ""},
        {"TARGETARCH", m_target.architecture},
        {"TARGETVARIANT", m_target.variant},
        {"TARGETSTAGE", m_target_stage.empty() ? "default" : m_target_stage},
    };
    for (auto& [key, value] : env) {
        if (auto given = get(key)) value = *given;
    }
    return env;
}

std::vector<std::string> BuildArgs::proxy_env() const {
    static constexpr std::string_view names[] = {"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY",
                                                 "NO_PROXY", "ALL_PROXY"};
    std::vector<std::string> out;
    for (std::string_view name : names) {
        std::string value;
        for (const auto& [key, v] : m_values) {  // byte order; the last match wins
            std::string upper = key;
            std::ranges::transform(upper, upper.begin(), ::toupper);
            if (upper == name) value = v;
        }
        if (value.empty()) continue;
        std::string lower(name);
        std::ranges::transform(lower, lower.begin(), ::tolower);
        out.push_back(std::string(name) + "=" + value);
        out.push_back(lower + "=" + value);
    }
    return out;
}

Result<ShellEnv> global_arg_values(const std::vector<ArgInstruction>& global_args,
                                   const BuildArgs& build_args, char escape) {
    ShellEnv values = build_args.automatic();
    for (const auto& in : global_args) {
        for (const auto& arg : in.args) {
            if (auto given = build_args.get(arg.key)) {
                values[arg.key] = *given;
            } else if (arg.value) {
                values[arg.key] = TRY(process_word(*arg.value, values, escape));
            }
        }
    }
    return values;
}

Result<ExpandedFrom> expand_from(const Stage& stage, const ShellEnv& global_values, char escape) {
    ExpandedFrom out;
    out.base = TRY(process_word(stage.base, global_values, escape));
    if (out.base.empty()) return fail("base name (" + stage.base + ") should not be blank");
    if (!stage.platform.empty()) {
        auto platform = process_word(stage.platform, global_values, escape);
        if (!platform)
            return std::unexpected(
                std::move(platform.error())
                    .prefix("failed to process arguments for platform " + stage.platform));
        if (platform->empty())
            return fail("empty platform value from expression " + stage.platform);
        out.platform = std::move(*platform);
    }
    return out;
}

ShellEnv StageState::variables() const {
    ShellEnv out;
    for (const auto& [key, value] : env)
        out[key] = value;
    return out;
}

std::vector<std::string> StageState::shell() const {
    if (image.config && image.config->shell && !image.config->shell->empty())
        return *image.config->shell;
    return {"/bin/sh", "-c"};
}

ImageConfig scratch_config(const BuildPlatform& platform) {
    ImageConfig image;
    image.architecture = platform.architecture;
    image.os = platform.os;
    image.variant = platform.variant;
    image.rootfs.type = "layers";
    ContainerConfig config;
    config.working_dir = "/";
    config.env = std::vector<std::string>{"PATH=" + std::string(k_default_path)};
    image.config = std::move(config);
    return image;
}

StartedStage start_stage(ImageConfig base, ShellEnv global_values, char escape) {
    StartedStage out;
    StageState& state = out.state;
    state.image = std::move(base);
    state.image.created.reset();
    state.global_values = std::move(global_values);
    state.escape = escape;
    auto& config = config_of(state);
    if (config.on_build) {
        out.onbuild = std::move(*config.on_build);
        config.on_build.reset();
    }
    if (!config.env) config.env.emplace();
    bool has_path = std::ranges::any_of(
        *config.env, [](const std::string& e) { return e.substr(0, e.find('=')) == "PATH"; });
    if (!has_path) config.env->push_back("PATH=" + std::string(k_default_path));
    for (const auto& entry : *config.env) {
        size_t eq = entry.find('=');
        set_variable(state, entry.substr(0, eq),
                     eq == std::string::npos ? "" : entry.substr(eq + 1));
    }
    return out;
}

StageState start_stage_from(const StageState& parent) {
    StageState state = parent;
    if (state.image.config) state.image.config->on_build.reset();
    state.cmd_set = false;
    return state;
}

Result<RunPlan> plan_run(const StageState& state, const RunInstruction& run,
                         const BuildArgs& build_args) {
    std::vector<std::string> args = run.command.args;
    if (!run.command.files.empty()) {
        if (args.size() != 1 || run.command.exec_form)
            return fail("parsing produced an invalid run command: " + go_list(args));
        if (is_lone_heredoc(args[0])) {
            const Heredoc& doc = run.command.files[0];
            std::string data = doc.chomp ? chomp_heredoc(doc.content) : doc.content;
            if (data.starts_with("#!"))
                return fail("RUN with a here-document script (#!) is not supported yet");
            args = {data};
        } else {
            std::string text = args[0];
            for (const auto& file : run.command.files)
                text += "\n" + file.content + file.name;
            args = {text};
        }
    }
    if (!run.command.exec_form) args = with_shell(state, args);

    RunPlan plan;
    ShellEnv variables = state.variables();
    std::vector<std::string> declared;
    std::map<std::string, size_t> index;
    for (const auto& arg : state.args) {
        auto found = variables.find(arg.key);
        std::string value = found != variables.end() ? found->second : arg.value.value_or("");
        if (auto at = index.find(arg.key); at != index.end()) {
            declared[at->second] = arg.key + "=" + value;
        } else {
            index[arg.key] = declared.size();
            declared.push_back(arg.key + "=" + value);
        }
    }
    std::vector<std::string> words;
    if (!declared.empty()) {
        words.push_back("|" + std::to_string(declared.size()));
        words.insert(words.end(), declared.begin(), declared.end());
    }
    words.insert(words.end(), args.begin(), args.end());
    plan.created_by = "RUN " + join(words, " ");

    plan.process.args = std::move(args);
    for (const auto& [key, value] : state.env)
        plan.process.env.push_back(key + "=" + value);
    auto proxies = build_args.proxy_env();
    plan.process.env.insert(plan.process.env.end(), proxies.begin(), proxies.end());
    if (state.image.config) {
        plan.process.user = state.image.config->user;
        plan.process.cwd = state.image.config->working_dir;
    }
    if (plan.process.cwd.empty()) plan.process.cwd = "/";
    return plan;
}

Result<StepAction> apply(StageState& state, const Instruction& instruction,
                         const BuildArgs& build_args) {
    if (auto* in = std::get_if<EnvInstruction>(&instruction)) return apply_env(state, *in);
    if (auto* in = std::get_if<LabelInstruction>(&instruction)) return apply_label(state, *in);
    if (auto* in = std::get_if<ArgInstruction>(&instruction))
        return apply_arg(state, *in, build_args);
    if (auto* in = std::get_if<WorkdirInstruction>(&instruction)) return apply_workdir(state, *in);
    if (auto* in = std::get_if<CmdInstruction>(&instruction)) return apply_command(state, *in);
    if (auto* in = std::get_if<EntrypointInstruction>(&instruction))
        return apply_entrypoint(state, *in);
    if (auto* in = std::get_if<ExposeInstruction>(&instruction)) return apply_expose(state, *in);
    if (auto* in = std::get_if<VolumeInstruction>(&instruction)) return apply_volume(state, *in);
    if (auto* in = std::get_if<HealthcheckInstruction>(&instruction))
        return apply_healthcheck(state, *in);
    if (auto* in = std::get_if<RunInstruction>(&instruction)) {
        RunPlan plan = TRY(plan_run(state, *in, build_args));
        add_history(state, plan.created_by + " # buildkit", true);
        return StepAction{std::move(plan.process)};
    }
    if (std::holds_alternative<CopyInstruction>(instruction) ||
        std::holds_alternative<AddInstruction>(instruction))
        return fail("`" + source_of(instruction).keyword + "`: not a metadata instruction");
    return apply_simple(state, instruction);
}

std::vector<std::string> unconsumed_build_args(const BuildArgs& build_args,
                                               const std::vector<ArgInstruction>& global_args,
                                               std::span<const StageState> stages) {
    std::set<std::string> declared;
    for (const auto& in : global_args)
        for (const auto& arg : in.args)
            declared.insert(arg.key);
    for (const auto& stage : stages)
        for (const auto& arg : stage.args)
            declared.insert(arg.key);
    std::vector<std::string> out;
    for (const auto& [key, value] : build_args.values()) {
        if (!declared.contains(key) && !is_proxy_arg(key) && !is_automatic_arg(key))
            out.push_back(key);
    }
    return out;
}

std::string unconsumed_warning(const std::vector<std::string>& names) {
    if (names.empty()) return "";
    return "[Warning] One or more build-args " + go_list(names) + " were not consumed";
}

std::string go_duration_string(int64_t ns) {
    if (ns == 0) return "0s";
    bool negative = ns < 0;
    uint64_t u = negative ? uint64_t(0) - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
    // The digits of v / 10^prec with the fraction's trailing zeros dropped.
    auto fraction = [](uint64_t v, int prec) {
        uint64_t scale = 1;
        for (int i = 0; i < prec; ++i)
            scale *= 10;
        std::string out = std::to_string(v / scale);
        uint64_t frac = v % scale;
        if (frac != 0) {
            std::string digits = std::to_string(frac);
            digits.insert(0, static_cast<size_t>(prec) - digits.size(), '0');
            while (digits.back() == '0')
                digits.pop_back();
            out += "." + digits;
        }
        return out;
    };
    std::string out;
    if (u < 1'000'000'000) {
        if (u < 1'000)
            out = std::to_string(u) + "ns";
        else if (u < 1'000'000)
            out = fraction(u, 3) + "\u00b5s";
        else
            out = fraction(u, 6) + "ms";
    } else {
        uint64_t seconds = u / 1'000'000'000;
        std::string s = fraction(u % 60'000'000'000, 9) + "s";
        uint64_t minutes = seconds / 60;
        if (minutes > 0) {
            uint64_t hours = minutes / 60;
            s = std::to_string(minutes % 60) + "m" + s;
            if (hours > 0) s = std::to_string(hours) + "h" + s;
        }
        out = s;
    }
    return negative ? "-" + out : out;
}

}  // namespace ferry::build
