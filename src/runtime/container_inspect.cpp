// Most of the document is the record as create wrote it (Config and HostConfig are docker's
// already); State comes from the state file as ContainerStore corrects it; Mounts are derived
// from the runtime spec, which says what is really mounted. Fields docker fills from parts ferry
// does not have (AppArmor, SELinux labels, exec IDs) hold docker's empty values.

#include "ferry/runtime/container_inspect.hpp"

#include <algorithm>

#include "ferry/runtime/container_desktop.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr std::string_view k_zero_time = "0001-01-01T00:00:00Z";

std::string time_or_zero(int64_t ns) {
    return ns ? format_rfc3339(ns) : std::string(k_zero_time);
}

bool has_option(const oci::Mount& m, std::string_view option) {
    return std::find(m.options.begin(), m.options.end(), option) != m.options.end();
}

std::string propagation(const oci::Mount& m) {
    for (const char* p : {"rprivate", "private", "rshared", "shared", "rslave", "slave"})
        if (has_option(m, p)) return p;
    return "rprivate";
}

}  // namespace

Json state_json(const ContainerState& s) {
    Json j;
    j["Status"] = std::string(status_name(s.status));
    // As docker's: a restarting container counts as running.
    j["Running"] = s.status == Status::running || s.status == Status::paused ||
                   s.status == Status::restarting;
    j["Paused"] = s.status == Status::paused;
    j["Restarting"] = s.status == Status::restarting;
    j["OOMKilled"] = s.oom_killed;
    j["Dead"] = s.status == Status::dead;
    j["Pid"] = s.pid;
    j["ExitCode"] = s.exit_code;
    j["Error"] = s.error;
    j["StartedAt"] = time_or_zero(s.started_ns);
    j["FinishedAt"] = time_or_zero(s.finished_ns);
    return j;
}

Json mounts_json(const oci::RuntimeSpec& spec, const std::string& store_root,
                 const std::string& run_dir) {
    Json out = Json::array();
    const std::string volumes = store_root + "/volumes/";
    for (const auto& m : spec.mounts) {
        bool bind = m.type == "bind" || has_option(m, "bind") || has_option(m, "rbind");
        if (!bind) continue;
        // ferry's own files (hostname, hosts, resolv.conf, the --init binary) are not mounts
        // the user asked for.
        if (m.source.starts_with(store_root + "/containers/") ||
            m.source.starts_with(store_root + "/bin/") || m.source.starts_with(run_dir + "/"))
            continue;
        bool rw = !has_option(m, "ro");
        if (m.source.starts_with(volumes)) {
            std::string name = m.source.substr(volumes.size());
            name = name.substr(0, name.find('/'));
            out.push_back({{"Type", "volume"},
                           {"Name", name},
                           {"Source", m.source},
                           {"Destination", m.destination},
                           {"Driver", "local"},
                           {"Mode", ""},
                           {"RW", rw},
                           {"Propagation", ""}});
            continue;
        }
        out.push_back({{"Type", "bind"},
                       {"Source", m.source},
                       {"Destination", m.destination},
                       {"Mode", ""},
                       {"RW", rw},
                       {"Propagation", propagation(m)}});
    }
    return out;
}

Result<Json> inspect_container(const ContainerStore& store, const ContainerRecord& r) {
    ContainerState state = TRY(store.state(r.id));
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    const std::string dir = store.dir(r.id);
    std::string lower;
    for (auto it = r.chain_ids.rbegin(); it != r.chain_ids.rend(); ++it)
        lower += (lower.empty() ? "" : ":") + store.root() + "/layers/" + *it + "/diff";

    Json j;
    j["Id"] = r.id;
    j["Created"] = format_rfc3339(r.created_ns);
    j["Path"] = r.args.empty() ? "" : r.args.front();
    j["Args"] = r.args.empty() ? Json::array()
                               : Json(std::vector<std::string>(r.args.begin() + 1, r.args.end()));
    j["State"] = state_json(state);
    j["Image"] = r.image_id;
    j["ResolvConfPath"] = dir + "/resolv.conf";
    j["HostnamePath"] = dir + "/hostname";
    j["HostsPath"] = dir + "/hosts";
    j["LogPath"] = store.log_path(r.id);
    j["Name"] = "/" + r.name;
    j["RestartCount"] = state.restart_count;
    j["Driver"] = "overlay";
    j["Platform"] = "linux";
    j["MountLabel"] = "";
    j["ProcessLabel"] = "";
    j["AppArmorProfile"] = "";
    j["ExecIDs"] = nullptr;
    j["HostConfig"] = r.host_config.is_object() ? r.host_config : Json::object();
    j["GraphDriver"] = {{"Data",
                         {{"LowerDir", lower},
                          {"MergedDir", dir + "/merged"},
                          {"UpperDir", dir + "/upper"},
                          {"WorkDir", dir + "/work"}}},
                        {"Name", "overlay"}};
    j["Mounts"] = mounts_json(spec, store.root(), store.run_dir(r.id));
    j["Config"] = r.config.is_object() ? r.config : Json::object();
    j["NetworkSettings"] = network_settings_json(r, TRY(load_network_settings(store, r.id)));
    if (!r.desktop.empty())  // ferry's own: --desktop (container_desktop.hpp)
        j["Desktop"] = {{"Geometry", r.desktop},
                        {"Socket", desktop_socket(store, r.id)},
                        {"Listen", r.desktop_listen}};
    return j;
}

}  // namespace ferry::runtime
