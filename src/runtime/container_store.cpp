// Containers on disk (see container_store.hpp). Creation builds the directory in the image
// store's tmp/ (so a crash leaves only garbage there), renames it into containers/, then claims
// the name with symlinkat, which fails atomically when the name is taken.

#include "ferry/runtime/container_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "ferry/core/store_health.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/container_desktop.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr size_t k_record_limit = 16u << 20;

std::string_view restart_name(RestartPolicy p) {
    switch (p) {
        case RestartPolicy::no: return "no";
        case RestartPolicy::on_failure: return "on-failure";
        case RestartPolicy::always: return "always";
        case RestartPolicy::unless_stopped: return "unless-stopped";
    }
    return "no";
}

RestartPolicy restart_from(std::string_view s) {
    if (s == "on-failure") return RestartPolicy::on_failure;
    if (s == "always") return RestartPolicy::always;
    if (s == "unless-stopped") return RestartPolicy::unless_stopped;
    return RestartPolicy::no;
}

Json record_json(const ContainerRecord& r) {
    Json j;
    j["id"] = r.id;
    j["name"] = r.name;
    j["image"] = r.image;
    j["image_id"] = r.image_id;
    j["chain_ids"] = r.chain_ids;
    j["created_ns"] = r.created_ns;
    j["args"] = r.args;
    j["config"] = r.config;
    j["host_config"] = r.host_config;
    j["restart"] = {{"policy", restart_name(r.restart.policy)},
                    {"max_retries", r.restart.max_retries}};
    j["auto_remove"] = r.auto_remove;
    if (r.volatile_upper) j["volatile_upper"] = true;
    j["tty"] = r.tty;
    j["open_stdin"] = r.open_stdin;
    j["stop_signal"] = r.stop_signal;
    j["stop_timeout"] = r.stop_timeout;
    Json vols = Json::array();
    for (const auto& v : r.volumes)
        vols.push_back({{"name", v.name},
                        {"anonymous", v.anonymous},
                        {"target", v.target},
                        {"copy_up", v.copy_up}});
    j["volumes"] = vols;
    j["hostname"] = r.hostname;
    j["network"] = r.network;
    if (!r.endpoints.empty()) {
        Json eps = Json::array();
        for (const auto& e : r.endpoints)
            eps.push_back({{"network", e.network},
                           {"network_id", e.network_id},
                           {"ipv4", e.ipv4},
                           {"ipv6", e.ipv6},
                           {"aliases", e.aliases}});
        j["endpoints"] = eps;
    }
    if (!is_empty(r.net)) j["net"] = network_request_json(r.net);
    if (!r.gpus.empty()) j["gpus"] = r.gpus;
    if (!r.desktop.empty()) j["desktop"] = r.desktop;
    if (!r.desktop_listen.empty()) j["desktop_listen"] = r.desktop_listen;
    if (!r.cdi_devices.empty()) j["cdi_devices"] = r.cdi_devices;
    if (r.log.driver != "json-file" || r.log.max_size != -1 || r.log.max_files != 1)
        j["log"] = {{"driver", r.log.driver},
                    {"max_size", r.log.max_size},
                    {"max_files", r.log.max_files}};
    return j;
}

Result<ContainerRecord> record_from(std::string_view text, const std::string& where) {
    auto parsed = parse_json(text, k_record_limit);
    if (!parsed) return std::unexpected(std::move(parsed.error()).prefix(where));
    const Json& j = *parsed;
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return fail(where + ": malformed container record");
    ContainerRecord r;
    auto str = [&](const char* k) {
        return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    auto strs = [&](const char* k) {
        std::vector<std::string> out;
        if (j.contains(k) && j[k].is_array())
            for (const auto& v : j[k])
                if (v.is_string()) out.push_back(v.get<std::string>());
        return out;
    };
    auto flag = [&](const char* k) { return j.contains(k) && j[k].is_boolean() && j[k].get<bool>(); };
    r.id = str("id");
    r.name = str("name");
    r.image = str("image");
    r.image_id = str("image_id");
    r.chain_ids = strs("chain_ids");
    r.created_ns = j.value("created_ns", int64_t{0});
    r.args = strs("args");
    r.config = j.contains("config") ? j["config"] : Json::object();
    r.host_config = j.contains("host_config") ? j["host_config"] : Json::object();
    if (j.contains("restart") && j["restart"].is_object()) {
        r.restart.policy = restart_from(j["restart"].value("policy", std::string("no")));
        r.restart.max_retries = j["restart"].value("max_retries", 0);
    }
    r.auto_remove = flag("auto_remove");
    r.volatile_upper = flag("volatile_upper");
    r.tty = flag("tty");
    r.open_stdin = flag("open_stdin");
    r.stop_signal = str("stop_signal");
    if (r.stop_signal.empty()) r.stop_signal = "SIGTERM";
    r.stop_timeout = j.value("stop_timeout", 10);
    if (j.contains("volumes") && j["volumes"].is_array())
        for (const auto& v : j["volumes"])
            if (v.is_object())
                r.volumes.push_back({v.value("name", std::string()), v.value("anonymous", false),
                                     v.value("target", std::string()), v.value("copy_up", true)});
    r.hostname = str("hostname");
    r.network = str("network");
    if (r.network.empty()) r.network = "host";
    if (j.contains("endpoints") && j["endpoints"].is_array())
        for (const auto& e : j["endpoints"]) {
            if (!e.is_object()) continue;
            EndpointConfig ep{e.value("network", std::string()), e.value("network_id", std::string()),
                              e.value("ipv4", std::string()), e.value("ipv6", std::string()), {}};
            if (e.contains("aliases") && e["aliases"].is_array())
                for (const auto& a : e["aliases"])
                    if (a.is_string()) ep.aliases.push_back(a.get<std::string>());
            r.endpoints.push_back(std::move(ep));
        }
    if (j.contains("net")) r.net = network_request_from(j["net"]);
    r.gpus = str("gpus");
    r.desktop = str("desktop");
    r.desktop_listen = str("desktop_listen");
    r.cdi_devices = strs("cdi_devices");
    if (j.contains("log") && j["log"].is_object()) {
        r.log.driver = j["log"].value("driver", std::string("json-file"));
        r.log.max_size = j["log"].value("max_size", int64_t{-1});
        r.log.max_files = j["log"].value("max_files", 1);
    }
    return r;
}

// Deletes a tree from a detached grandchild process (double fork: no zombie, no waiting).
void delete_in_background(const std::string& path) {
    pid_t child = ::fork();
    if (child < 0) {
        (void)fs::remove_tree(path);
        return;
    }
    if (child == 0) {
        ::setsid();
        if (::fork() == 0) {
            (void)fs::remove_tree(path);
            ::_exit(0);
        }
        ::_exit(0);
    }
    ::waitpid(child, nullptr, 0);
}

Result<void> write_new_file(const std::string& path, std::string_view content) {
    Fd fd = TRY(fs::open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
    TRY_CTX("write `" + path + "`", fs::write_all(fd.get(), content));
    return {};
}

// Names as docker's generator makes them: adjective_surname.
constexpr std::array k_adjectives = {
    "admiring", "agitated", "amazing", "awesome", "blissful", "bold", "brave", "busy",
    "charming", "clever", "compassionate", "competent", "cool", "dazzling", "determined",
    "dreamy", "eager", "ecstatic", "elegant", "epic", "exciting", "fervent", "focused",
    "friendly", "gallant", "gifted", "goofy", "gracious", "happy", "hopeful", "jolly",
    "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "nice", "nifty",
    "nostalgic", "optimistic", "peaceful", "practical", "priceless", "quirky", "relaxed",
    "serene", "sharp", "silly", "stoic", "sweet", "tender", "trusting", "upbeat", "vibrant",
    "vigilant", "wizardly", "wonderful", "youthful", "zealous", "zen"};
constexpr std::array k_surnames = {
    "agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bell",
    "bohr", "booth", "brattain", "cannon", "carson", "cerf", "chandrasekhar", "curie",
    "darwin", "dijkstra", "einstein", "euclid", "euler", "faraday", "fermat", "fermi",
    "feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking",
    "heisenberg", "hopper", "hypatia", "johnson", "kepler", "knuth", "lamarr", "lovelace",
    "maxwell", "mccarthy", "meitner", "mirzakhani", "morse", "newton", "noether", "pascal",
    "pasteur", "payne", "poincare", "ritchie", "shannon", "sinoussi", "tesla", "thompson",
    "torvalds", "turing", "wilson", "wozniak", "wright", "yalow"};

}  // namespace

std::string_view status_name(Status s) {
    switch (s) {
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::paused: return "paused";
        case Status::restarting: return "restarting";
        case Status::exited: return "exited";
        case Status::dead: return "dead";
    }
    return "dead";
}

ContainerState parse_state(std::string_view text) {
    ContainerState s;
    for (const auto& line : split(text, '\n')) {
        auto kv = split_once(line, '=');
        if (!kv) continue;
        auto [k, v] = *kv;
        auto num = [&] { return parse_i64(v).value_or(0); };
        if (k == "status") {
            for (Status st : {Status::created, Status::running, Status::paused, Status::restarting,
                              Status::exited, Status::dead})
                if (status_name(st) == v) s.status = st;
        } else if (k == "pid") {
            s.pid = static_cast<int>(num());
        } else if (k == "pid_start") {
            s.pid_start = num();
        } else if (k == "monitor_pid") {
            s.monitor_pid = static_cast<int>(num());
        } else if (k == "monitor_start") {
            s.monitor_start = num();
        } else if (k == "exit_code") {
            s.exit_code = static_cast<int>(num());
        } else if (k == "started_ns") {
            s.started_ns = num();
        } else if (k == "finished_ns") {
            s.finished_ns = num();
        } else if (k == "restart_count") {
            s.restart_count = static_cast<int>(num());
        } else if (k == "oom_killed") {
            s.oom_killed = num() != 0;
        } else if (k == "error") {
            s.error = std::string(v);
        }
    }
    return s;
}

std::string serialize_state(const ContainerState& s) {
    std::string error = s.error;
    std::replace(error.begin(), error.end(), '\n', ' ');
    return "status=" + std::string(status_name(s.status)) + "\npid=" + std::to_string(s.pid) +
           "\npid_start=" + std::to_string(s.pid_start) +
           "\nmonitor_pid=" + std::to_string(s.monitor_pid) +
           "\nmonitor_start=" + std::to_string(s.monitor_start) +
           "\nexit_code=" + std::to_string(s.exit_code) +
           "\nstarted_ns=" + std::to_string(s.started_ns) +
           "\nfinished_ns=" + std::to_string(s.finished_ns) +
           "\nrestart_count=" + std::to_string(s.restart_count) +
           "\noom_killed=" + (s.oom_killed ? "1" : "0") + "\nerror=" + error + "\n";
}

int64_t process_start_time(int pid) {
    if (pid <= 0) return 0;
    auto text = fs::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
    if (!text) return 0;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    auto close = text->rfind(')');
    if (close == std::string::npos) return 0;
    auto fields = split(std::string_view(*text).substr(close + 2), ' ');
    if (fields.size() < 20) return 0;
    // A zombie (Z) or a dying task (X) has exited: its parent may never reap it (a container's
    // init whose monitor was killed is reparented to the host's init, which may be slow to).
    if (fields[0] == "Z" || fields[0] == "X") return 0;
    return parse_i64(fields[19]).value_or(0);  // field 22 overall
}

Result<ContainerStore> ContainerStore::open(const Context& ctx) {
    ContainerStore s;
    s.m_ctx = ctx;
    s.m_root = ctx.root;
    s.m_run_root = ctx.run_root;
    TRY(claim_run_base(ctx));
    for (const char* sub : {"containers", "container-names", "tmp"})
        TRY_CTX("open store `" + s.m_root + "`", fs::make_dirs(s.m_root + "/" + sub, 0700));
    return s;
}

std::string ContainerStore::new_id() const {
    for (;;) {
        std::string id = random_hex(32);
        // Docker never hands out an ID whose short form is all digits (it reads like a number).
        if (id.substr(0, 12).find_first_not_of("0123456789") == std::string::npos) continue;
        if (!fs::lexists(dir(id))) return id;
    }
}

std::string ContainerStore::new_name() const {
    for (int attempt = 0;; ++attempt) {
        auto bytes = random_hex(4);
        uint32_t r = static_cast<uint32_t>(std::stoul(bytes, nullptr, 16));
        std::string name = std::string(k_adjectives[r % k_adjectives.size()]) + "_" +
                           k_surnames[(r / k_adjectives.size()) % k_surnames.size()];
        if (attempt > 10) name += std::to_string(r % 10);
        if (!fs::lexists(m_root + "/container-names/" + name)) return name;
    }
}

namespace {

// docker's error for a name another container holds.
std::unexpected<Error> name_conflict(const std::string& names_dir, const std::string& name) {
    char target[256] = {0};
    ::readlink((names_dir + name).c_str(), target, sizeof target - 1);
    return fail("Conflict. The container name \"/" + name + "\" is already in use by container \"" +
                std::string(target) +
                "\". You have to remove (or rename) that container to be able to reuse that name.");
}

}  // namespace

Result<void> ContainerStore::create(const ContainerRecord& record, const oci::RuntimeSpec& spec) {
    const std::string names = m_root + "/container-names/";
    auto conflict = [&]() { return name_conflict(names, record.name); };
    if (fs::lexists(names + record.name)) return conflict();
    // Built in place: config.json is written last and marks the directory complete (readers
    // skip a directory without it), so no staging directory is needed — it would cost an
    // inode, and inodes are the expensive part of a start.
    const std::string d = dir(record.id);
    if (::mkdir(d.c_str(), 0711) != 0) return fail_errno("create container `" + record.id + "`");
    auto built = [&]() -> Result<void> {
        for (const char* sub : {"upper", "work"})
            if (::mkdir((d + "/" + sub).c_str(), 0755) != 0)
                return fail_errno("create `" + d + "/" + sub + "`");
        TRY(write_new_file(d + "/spec.json", oci::to_json_text(spec)));
        // config.json appears whole (renamed into place), so a reader that cannot parse it
        // has found a damaged record, not one being written.
        TRY(write_new_file(d + "/config.json.new", to_go_json(record_json(record)) + "\n"));
        if (::rename((d + "/config.json.new").c_str(), (d + "/config.json").c_str()) != 0)
            return fail_errno("create `" + d + "/config.json`");
        return {};
    }();
    if (!built) {
        (void)fs::remove_tree(d);
        return built;
    }
    if (::symlink(record.id.c_str(), (names + record.name).c_str()) != 0) {
        int err = errno;
        (void)fs::remove_tree(d);
        if (err == EEXIST) return conflict();
        return fail_errno("claim container name `" + record.name + "`", err);
    }
    return {};
}

Result<void> ContainerStore::rename(const ContainerRecord& record,
                                   const std::string& new_name) const {
    const std::string names = m_root + "/container-names/";
    if (::symlink(record.id.c_str(), (names + new_name).c_str()) != 0) {
        if (errno == EEXIST) return name_conflict(names, new_name);
        return fail_errno("claim container name `" + new_name + "`");
    }
    ContainerRecord renamed = record;
    renamed.name = new_name;
    auto written = write_file_atomic(dir(record.id) + "/config.json",
                                     to_go_json(record_json(renamed)) + "\n", 0600,
                                     Durability::process_crash);
    if (!written) {
        ::unlink((names + new_name).c_str());
        return std::unexpected(
            std::move(written.error()).prefix("rename container `" + record.name + "`"));
    }
    char target[128] = {0};
    const std::string old_link = names + record.name;
    if (::readlink(old_link.c_str(), target, sizeof target - 1) > 0 && record.id == target)
        ::unlink(old_link.c_str());
    return {};
}

Result<std::vector<std::string>> ContainerStore::ids() const {
    auto all = TRY(fs::list_dir(m_root + "/containers"));
    std::erase_if(all, [&](const std::string& id) { return !fs::lexists(dir(id) + "/config.json"); });
    return all;
}

Result<ContainerRecord> ContainerStore::load(const std::string& id) const {
    const std::string path = dir(id) + "/config.json";
    std::string text = TRY(fs::read_file(path, k_record_limit));
    auto r = text.empty() ? fail("empty file") : record_from(text, "container " + id.substr(0, 12));
    if (r && r->id == id) return r;
    std::string detail = !r ? r.error().message : "names container `" + printable(r->id) + "`";
    if (detail.starts_with("container " + id.substr(0, 12) + ": "))
        detail.erase(0, 12 + id.substr(0, 12).size());
    if (detail == "malformed JSON") detail = "truncated or malformed JSON";
    return damaged("container record", path, detail,
                   "remove the container with `ferry rm " + id.substr(0, 12) +
                       "` or run `ferry system check --repair`");
}

Result<oci::RuntimeSpec> ContainerStore::load_spec(const std::string& id) const {
    std::string text = TRY(fs::read_file(dir(id) + "/spec.json", k_record_limit));
    return oci::parse_runtime_spec(text);
}

namespace {

// Whether a state file is whole: it starts with a known status and ends with a newline.
bool complete_state(std::string_view text) {
    if (!text.starts_with("status=") || !text.ends_with('\n')) return false;
    std::string_view status = text.substr(7, text.find('\n') - 7);
    for (Status st : {Status::created, Status::running, Status::paused, Status::restarting,
                      Status::exited, Status::dead})
        if (status_name(st) == status) return true;
    return false;
}

// `no such container `x``, with ENOENT so callers can tell it from other failures, and docker's
// CLI's exit status 1 (run and create turn it into 125).
std::unexpected<Error> no_such_container(std::string_view name_or_id) {
    return std::unexpected(
        Error{"no such container `" + printable(name_or_id) + "`", ENOENT, k_exit_error});
}

}  // namespace

Result<std::string> ContainerStore::find_id(std::string_view name_or_id) const {
    std::string key(name_or_id);
    if (key.starts_with("/")) key.erase(0, 1);
    if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..")
        return no_such_container(name_or_id);
    if (key.size() == 64 && is_lower_hex(key) && fs::lexists(dir(key))) return key;
    char target[128] = {0};
    ssize_t n = ::readlink((m_root + "/container-names/" + key).c_str(), target, sizeof target - 1);
    if (n > 0 && fs::lexists(dir(target))) return std::string(target);
    if (is_lower_hex(key)) {
        std::vector<std::string> matches;
        for (const auto& id : TRY(ids()))
            if (id.starts_with(key)) matches.push_back(id);
        if (matches.size() == 1) return matches.front();
        if (matches.size() > 1)
            return fail("multiple containers match the ID prefix `" + key + "`");
    }
    return no_such_container(name_or_id);
}

Result<ContainerRecord> ContainerStore::find(std::string_view name_or_id) const {
    ContainerRecord r = TRY(load(TRY(find_id(name_or_id))));
    if (r.auto_remove) {
        auto st = state(r.id);
        if (st && st->monitor_lost && reap_orphan(r, *st)) return no_such_container(name_or_id);
    }
    return r;
}

Result<ContainerRecord> ContainerStore::find_stub(std::string_view name_or_id) const {
    ContainerRecord r;
    r.id = TRY(find_id(name_or_id));
    auto names = fs::list_dir(m_root + "/container-names");
    for (const auto& name : names ? *names : std::vector<std::string>{}) {
        char target[128] = {0};
        if (::readlink((m_root + "/container-names/" + name).c_str(), target, sizeof target - 1) >
                0 &&
            r.id == target)
            r.name = name;
    }
    return r;
}

Result<ContainerState> ContainerStore::state(const std::string& id) const {
    auto text = fs::read_file(state_path(id), 65536);
    if (!text && text.error().sys_errno != ENOENT) return std::unexpected(text.error());
    // Both writers (ferry and the monitor) rename a complete file into place: one that does not
    // start with a known status or end with a newline was cut short by a power failure.
    if (text && !complete_state(*text))
        return damaged("container state", state_path(id),
                       text->empty() ? "empty file" : "truncated");
    ContainerState s = text ? parse_state(*text) : ContainerState{};  // none yet: created
    if (s.status == Status::running || s.status == Status::restarting ||
        s.status == Status::paused) {
        bool monitor_alive = s.monitor_pid > 0 &&
                             process_start_time(s.monitor_pid) == s.monitor_start &&
                             s.monitor_start != 0;
        if (!monitor_alive) {
            // The monitor died without recording the exit: its container was killed with it
            // (PR_SET_PDEATHSIG), unless it somehow still runs.
            bool alive = s.pid > 0 && s.pid_start != 0 && process_start_time(s.pid) == s.pid_start;
            if (!alive) {
                s.status = Status::exited;
                s.exit_code = 137;
                s.pid = 0;
                s.monitor_pid = 0;
                s.monitor_lost = true;
                if (!s.finished_ns) s.finished_ns = now_unix_ns();
            }
        }
    }
    return s;
}

Result<void> ContainerStore::write_state(const std::string& id, const ContainerState& state) const {
    return write_file_atomic(state_path(id), serialize_state(state), 0600,
                             Durability::process_crash);
}

Result<void> ContainerStore::rewrite(const ContainerRecord& record,
                                     const oci::RuntimeSpec& spec) const {
    TRY(write_file_atomic(dir(record.id) + "/spec.json", oci::to_json_text(spec), 0600,
                          Durability::process_crash));
    return write_file_atomic(dir(record.id) + "/config.json",
                             to_go_json(record_json(record)) + "\n", 0600,
                             Durability::process_crash);
}

Result<void> ContainerStore::set_stopped_by_user(const std::string& id, bool stopped) const {
    if (!stopped) {
        if (::unlink(stop_marker(id).c_str()) != 0 && errno != ENOENT)
            return fail_errno("clear stop marker");
        return {};
    }
    return write_file_atomic(stop_marker(id), "", 0600, Durability::process_crash);
}

Result<void> ContainerStore::remove(const ContainerRecord& record) const {
    const std::string name = m_root + "/container-names/" + record.name;
    char target[128] = {0};
    if (::readlink(name.c_str(), target, sizeof target - 1) > 0 && record.id == target)
        ::unlink(name.c_str());
    // Renamed into tmp/ at once (the container is gone for every other command from here on);
    // the tree is deleted by a detached process, so `rm` and `run --rm` return without waiting
    // for the file system. Should that process die, the next command's clean-up of tmp/ (any
    // unlocked entry there is garbage) finishes the job.
    std::string trash = m_root + "/tmp/rm-" + record.id;
    if (::rename(dir(record.id).c_str(), trash.c_str()) != 0 && errno != ENOENT)
        return fail_errno("remove container `" + record.id.substr(0, 12) + "`");
    record_container_event(m_ctx, record, "destroy");
    (void)fs::remove_tree(run_dir(record.id));
    if (!record.desktop.empty())  // its server's socket, left by a kill -9
        ::unlink(desktop_socket(*this, record.id).c_str());
    delete_in_background(trash);
    return {};
}

}  // namespace ferry::runtime
