#pragma once
// Published and exposed ports as docker's go-connections/nat package spells them: `-p
// [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]` and `--expose PORT[-PORT][/PROTO]` parsed into port
// keys ("80/tcp") and bindings, with docker's error words; and the two ways docker's CLI prints
// a container's live port map: the PORTS column of `ps` (formatter.DisplayablePorts, ranges
// collapsed) and the lines of `docker port`. Pure functions: nothing here opens a socket.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::net {

// One host side of a published port, as HostConfig.PortBindings holds it: host_ip "" means
// every address, host_port "" a random port, "8000-8010" a port from that range.
struct PortBinding {
    std::string host_ip;
    std::string host_port;
    bool operator==(const PortBinding&) const = default;
};

// A container port key ("80/tcp", "53/udp") with its bindings, in the order they were given.
using PortMap = std::map<std::string, std::vector<PortBinding>>;

// One container port of a `-p` value and its binding.
struct PortMapping {
    std::string port;  // "80/tcp"
    PortBinding binding;
};

// docker's nat.ParsePortSpec: one `-p` value, one mapping per container port of its range.
// Fails with docker's words: `no port specified: 80:<empty>`, `invalid proto: xyz`, `invalid IP
// address: 1.2.3.x`, `invalid containerPort: abc`, `invalid hostPort: 99999`, `invalid ranges
// specified for container and host Ports: 80-85 and 8000-8010`.
Result<std::vector<PortMapping>> parse_port_spec(std::string_view raw);

// docker's nat.ParsePortSpecs over every `-p` value: the exposed port keys and the bindings
// (a key given twice keeps both bindings). Fails as parse_port_spec.
Result<void> parse_port_specs(const std::vector<std::string>& specs, std::set<std::string>& exposed,
                              PortMap& bindings);

// One `--expose` value: PORT or START-END, then /PROTO (tcp by default), as port keys. Fails
// with docker's `invalid range format for --expose: 80-x, error: ...` or `invalid port format
// for --expose: 1:2`.
Result<std::vector<std::string>> parse_expose(std::string_view raw);

// The port number and protocol of a key ("80/tcp" -> 80, "tcp"); nullopt when malformed.
std::optional<std::pair<uint16_t, std::string>> split_port_key(std::string_view key);

// The keys sorted as docker's JSON encoder writes a Go map (byte order): "8080/tcp" < "80/tcp".
std::vector<std::string> sorted_keys(const PortMap& map);

// True when s is an IPv6 address.
bool is_ipv6(std::string_view s);

// net.JoinHostPort: "[::]:8080" for an IPv6 host, "0.0.0.0:8080" otherwise.
std::string join_host_port(std::string_view host, std::string_view port);

// The PORTS column of `ps` for a live port map (NetworkSettings.Ports): docker's
// DisplayablePorts over its port summaries: "0.0.0.0:8080->80/tcp, :::8080->80/tcp", runs of
// consecutive ports collapsed ("0.0.0.0:8000-8002->80-82/tcp"), exposed-only ports as "80/tcp".
std::string displayable_ports(const PortMap& ports);

// `docker port CONTAINER`: "80/tcp -> 0.0.0.0:8080" lines in natural order.
std::vector<std::string> port_lines(const PortMap& ports);
// `docker port CONTAINER PORT[/PROTO]`: the "0.0.0.0:8080" lines of that port in natural order.
// Fails with docker's `No public port '81' published for NAME` (port and name as typed, as
// docker 23+'s CLI; docker's
// CLI prefixes "Error: ", ferry its "ferry: error: "), status 1.
Result<std::vector<std::string>> port_lines(const PortMap& ports, std::string_view port,
                                            std::string_view container);

}  // namespace ferry::net
