#pragma once
// The flags of `ferry run` and `ferry create`, with docker's spellings, short forms and value
// grammar, parsed into runtime::RunOptions. Every value is validated here with docker's words
// (the daemon's checks included), so a bad flag fails before anything is created. The value
// grammars are exposed one by one for their tests.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/runtime/container_plan.hpp"

namespace ferry::cli {

struct RunCommandOptions : BaseOptions {
    runtime::RunOptions run;
};

// Parses the arguments after `ferry run` (command "ferry run") or `ferry create` (command
// "ferry create", which has no -d and --detach-keys): flags up to IMAGE, then the container's
// command with its own flags untouched. On --help, help holds the text. Fails with pflag's and
// docker's messages: `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'`,
// `invalid volume specification: '/a:/b:ro:x'`, `conflicting options: cannot specify both
// --restart and --rm`, ...
Result<RunCommandOptions> parse_run_args(std::string_view command, Args args);

// -v / --volume: [SOURCE:]TARGET[:MODE] (docker's linux parser). Fails with
// `invalid volume specification: 'x'`, `invalid mode: rx`, ...
Result<runtime::MountRequest> parse_volume_flag(std::string_view spec);
// --mount: a CSV record of type=, source=/src=, target=/dst=/destination=, readonly/ro,
// bind-propagation=, volume-nocopy, tmpfs-size=, tmpfs-mode= (docker's MountOpt). Fails with
// `target is required`, `unexpected key 'bogus' in 'bogus=1'`, ...
Result<runtime::MountRequest> parse_mount_flag(std::string_view spec);
// --tmpfs: PATH[:OPTIONS]. Fails with `invalid mount path: 'rel' mount path must be absolute`
// or `invalid tmpfs option "foo"`.
Result<runtime::MountRequest> parse_tmpfs_flag(std::string_view spec);
// --restart: no | always | unless-stopped | on-failure[:N]. Fails with
// `invalid restart policy 'bogus'` and the like.
Result<runtime::Restart> parse_restart(std::string_view value);
// --ulimit: NAME=SOFT[:HARD] (go-units ParseUlimit). Fails with `invalid ulimit type: bogus`...
Result<runtime::Ulimit> parse_ulimit(std::string_view value);
// --device: HOST[:CONTAINER][:PERMISSIONS]. Fails with `rel is not an absolute path` or
// `bad mode specified: rwx`.
Result<runtime::DeviceRequest> parse_device(std::string_view value);
// --cpus: a decimal or a fraction ("1.5", "3/2"). Fails with
// `failed to parse abc as a rational number` or `value is too precise`.
Result<double> parse_cpus(std::string_view value);
// -e: KEY=VALUE as it is; KEY alone takes ferry's own value of KEY (kept bare, which unsets it
// in the container, when ferry has none). Fails with `invalid environment variable: =x`.
Result<std::string> expand_env(std::string_view value);
// An --env-file (lookup: KEY alone takes ferry's value, else is dropped) or --label-file (KEY
// alone is dropped), as docker reads them: blank lines and # comments skipped, leading
// whitespace and a UTF-8 BOM removed, values kept verbatim. Fails with `open `f`: strerror` or
// `poorly formatted environment: variable 'a b' contains whitespaces`.
enum class KeyOnly { from_environment, dropped };
Result<std::vector<std::string>> read_kv_file(const std::string& path, KeyOnly key_only);
// --sysctl: KEY=VALUE for a sysctl docker allows (the IPC ones: kernel.msg*, kernel.sem,
// kernel.shm*, fs.mqueue.*; net.*). Fails with `sysctl 'vm.swappiness=1' is not allowed`.
Result<std::pair<std::string, std::string>> validate_sysctl(std::string_view value);
// --log-driver and --log-opt: json-file (max-size as FromHumanSize, max-file), local (the same
// format, 20 MB and 5 files by default) or none. Fails with docker's words: `invalid logging
// opts for driver none`, `unknown log opt 'x' for json-file log driver`, `failed to initialize
// logging driver: max-file cannot be less than 1`, `error looking up logging plugin x: plugin
// "x" not found`.
Result<runtime::LogConfig> parse_log_config(const std::string& driver,
                                            const std::map<std::string, std::string>& opts);
// The checks of --uts, --cgroupns, --pull, --platform, --runtime and the log flags, once all
// flags are read (run_flag_engine.cpp); fills o.log. Fails with `--uts: invalid UTS mode`,
// `invalid pull option: 'x': must be one of "always", "missing" or "never"`, `error parsing
// specified platform: "x": unknown operating system or architecture: invalid argument`,
// `unknown or invalid runtime name: x`, `conflicting options: hostname and the UTS mode`, ...
Result<void> check_engine_flags(runtime::RunOptions& o);

// The network flags' values that are checked once all flags are read (run_flag_network.cpp).
struct NetworkFlags {
    std::string network;                       // --network / --net ("" not given: host for now)
    std::vector<std::string> publish, expose;  // -p, --expose as given
};
// Adds -p, -P, --expose, --network/--net, --add-host, --dns, --dns-search, --dns-option,
// --ip, --ip6, --mac-address and --network-alias to a run/create flag table.
void add_network_flags(FlagSet& flags, runtime::RunOptions& o, NetworkFlags& raw);
// Fills o.network and o.net from what add_network_flags collected. Fails with docker's words:
// `invalid containerPort: abc`, `invalid proto: xyz`, `x is not a valid mac address`,
// `conflicting options: port publishing and the container type network mode`, ...
Result<void> check_network_flags(const NetworkFlags& raw, runtime::RunOptions& o);
// --add-host: NAME:IP, NAME=IP, an IPv6 address in brackets, or NAME:host-gateway (docker's
// ValidateExtraHost). Fails with `bad format for add-host: "x"` or `invalid IP address in
// add-host: "y"`.
Result<net::ExtraHost> parse_add_host(std::string_view value);
// --dns-search: a domain or "." (docker's ValidateDNSSearch). Fails with `x is not a valid
// domain`.
Result<std::string> validate_dns_search(std::string_view value);

}  // namespace ferry::cli
