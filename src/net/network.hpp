#pragma once
// A network as ferry records it, and what `network create` asks for. The record is docker's
// inspect document less what is computed when it is shown (Scope, Containers, ...), plus the
// subnets and gateways in effect, so that allocation never recomputes a default.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/net/ipam.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// One subnet of a network: as the user gave it (any field may be empty), or as allocated.
struct IpamConfig {
    std::string subnet;    // `172.18.0.0/16`, as typed
    std::string ip_range;  // --ip-range, "" when none
    std::string gateway;   // `172.18.0.1`, "" when not given
};

// One subnet in effect: parsed, with its gateway decided.
struct Subnet {
    Cidr subnet;
    std::optional<Cidr> range;
    IpAddress gateway;
};

struct Network {
    std::string id;  // 64 hex
    std::string name;
    std::string driver;  // bridge, host or null
    int64_t created_ns = 0;
    bool internal = false;
    bool ipv6 = false;
    bool attachable = false;
    std::vector<IpamConfig> user_config;              // what --subnet/--gateway/--ip-range gave
    std::vector<Subnet> subnets;                      // in effect (IPv4 first)
    std::map<std::string, std::string> ipam_options;  // absent = null, as docker's predefined
    bool ipam_options_null = false;
    std::map<std::string, std::string> options;
    std::map<std::string, std::string> labels;
};

// The names of docker's predefined networks, which always exist and cannot be removed.
bool is_predefined(std::string_view name);

// What `ferry network create` asks for.
struct NetworkRequest {
    std::string name;
    std::string driver = "bridge";
    std::vector<std::string> subnets, ip_ranges, gateways;
    bool internal = false;
    bool ipv6 = false;
    bool attachable = false;
    std::map<std::string, std::string> options, labels;
};

// Pairs each --ip-range and --gateway with its --subnet as docker's CLI does (createIPAMConfig),
// failing with its words: `every ip-range or gateway must have a corresponding subnet`,
// `multiple overlapping subnet configuration is not supported`, `no matching subnet for range
// R`, `no matching subnet for gateway G`, `cannot configure multiple gateways (G1, G2) for the
// same subnet (S)`; a subnet that is not a CIDR fails with docker's daemon's `Invalid subnet S :
// invalid CIDR address: S`.
Result<std::vector<IpamConfig>> consolidate_ipam(const NetworkRequest& request);

// The record's JSON (the file's content).
std::string network_record_json(const Network& network);
// Parses a record; fails with `malformed network record` details.
Result<Network> parse_network_record(std::string_view text);

// docker's inspect document of a network; containers is the Containers object (endpoint per
// container ID).
Json network_inspect_json(const Network& network, Json containers);

}  // namespace ferry::net
