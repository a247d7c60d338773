// A network record is a JSON object shaped as docker's inspect document (Name, Id, Created,
// Driver, EnableIPv6, Internal, Attachable, IPAM, Options, Labels) with one field of ferry's own,
// Subnets: every subnet in effect with its gateway, so that leases and overlap checks read them
// rather than recomputing defaults. Inspect shows IPAM.Config as docker's daemon does
// (buildIPAMResources): the user's configuration per family when there is one (a subnet as
// typed, no gateway unless given), else what was allocated.

#include "ferry/net/network.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::net {

namespace {

Json string_map(const std::map<std::string, std::string>& m) {
    Json j = Json::object();
    for (const auto& [k, v] : m)
        j[k] = v;
    return j;
}

Result<std::map<std::string, std::string>> read_map(const JsonObject& o, std::string_view key) {
    auto m = TRY(o.optional_string_map(key));
    return m ? *m : std::map<std::string, std::string>{};
}

Json config_json(const IpamConfig& c) {
    Json j = Json::object();
    j["Subnet"] = c.subnet;
    if (!c.ip_range.empty()) j["IPRange"] = c.ip_range;
    if (!c.gateway.empty()) j["Gateway"] = c.gateway;
    return j;
}

Result<IpamConfig> read_config(const Json& value, std::string path) {
    auto o = TRY(JsonObject::view(value, std::move(path)));
    return IpamConfig{TRY(o.string_or_empty("Subnet")), TRY(o.string_or_empty("IPRange")),
                      TRY(o.string_or_empty("Gateway"))};
}

Family family_of_config(const IpamConfig& c) {
    return c.subnet.find(':') == std::string::npos ? Family::v4 : Family::v6;
}

// IPAM.Config as docker's daemon shows it, for one family.
void shown_configs(const Network& n, Family family, Json& out) {
    bool user = false;
    for (const auto& c : n.user_config)
        if (family_of_config(c) == family) {
            out.push_back(config_json(c));
            user = true;
        }
    if (user) return;
    for (const auto& s : n.subnets)
        if (s.subnet.address.family == family)
            out.push_back(config_json({format_cidr(s.subnet), "", format_ip(s.gateway)}));
}

}  // namespace

bool is_predefined(std::string_view name) {
    return name == "bridge" || name == "host" || name == "none";
}

Result<std::vector<IpamConfig>> consolidate_ipam(const NetworkRequest& r) {
    if (r.subnets.size() < r.ip_ranges.size() || r.subnets.size() < r.gateways.size())
        return fail_with_status("every ip-range or gateway must have a corresponding subnet", 1);
    std::vector<IpamConfig> out;
    std::vector<Cidr> parsed;
    for (const auto& s : r.subnets) {
        auto c = parse_cidr(s);
        if (!c) return fail_with_status("Invalid subnet " + s + " : " + c.error().message, 1);
        for (const auto& p : parsed)
            if (overlaps(p, *c))
                return fail_with_status(
                    "multiple overlapping subnet configuration is not supported", 1);
        parsed.push_back(*c);
        out.push_back({s, "", ""});
    }
    for (const auto& range : r.ip_ranges) {
        auto rc = parse_cidr(range);
        if (!rc)
            return fail_with_status(
                "invalid argument \"" + range + "\" for \"--ip-range\" flag: " + rc.error().message,
                1);
        bool matched = false;
        for (size_t i = 0; i < parsed.size(); ++i) {
            if (!contains(parsed[i], rc->address)) continue;
            if (!out[i].ip_range.empty())
                return fail_with_status("cannot configure multiple ranges (" + range + ", " +
                                            out[i].ip_range + ") on the same subnet (" +
                                            out[i].subnet + ")",
                                        1);
            out[i].ip_range = range;
            matched = true;
        }
        if (!matched) return fail_with_status("no matching subnet for range " + range, 1);
    }
    for (const auto& g : r.gateways) {
        auto ip = parse_ip(g);
        if (!ip)
            return fail_with_status("invalid argument \"" + g +
                                        "\" for \"--gateway\" flag: "
                                        "invalid string being converted to IP address: " +
                                        g,
                                    1);
        bool matched = false;
        for (size_t i = 0; i < parsed.size(); ++i) {
            if (!contains(parsed[i], *ip)) continue;
            if (!out[i].gateway.empty())
                return fail_with_status("cannot configure multiple gateways (" + g + ", " +
                                            out[i].gateway + ") for the same subnet (" +
                                            out[i].subnet + ")",
                                        1);
            out[i].gateway = format_ip(*ip);
            matched = true;
        }
        if (!matched) return fail_with_status("no matching subnet for gateway " + g, 1);
    }
    return out;
}

std::string network_record_json(const Network& n) {
    Json j = Json::object();
    j["Name"] = n.name;
    j["Id"] = n.id;
    j["Created"] = format_rfc3339(n.created_ns);
    j["Driver"] = n.driver;
    j["EnableIPv6"] = n.ipv6;
    j["Internal"] = n.internal;
    j["Attachable"] = n.attachable;
    Json ipam = Json::object();
    ipam["Driver"] = "default";
    ipam["Options"] = n.ipam_options_null ? Json(nullptr) : string_map(n.ipam_options);
    Json config = Json::array();
    for (const auto& c : n.user_config)
        config.push_back(config_json(c));
    ipam["Config"] = std::move(config);
    j["IPAM"] = std::move(ipam);
    j["Options"] = string_map(n.options);
    j["Labels"] = string_map(n.labels);
    Json subnets = Json::array();
    for (const auto& s : n.subnets)
        subnets.push_back(config_json(
            {format_cidr(s.subnet), s.range ? format_cidr(*s.range) : "", format_ip(s.gateway)}));
    j["Subnets"] = std::move(subnets);
    return to_go_json(j) + "\n";
}

Result<Network> parse_network_record(std::string_view text) {
    auto doc = TRY(parse_json(text, 1 << 20));
    auto o = TRY(JsonObject::view(doc));
    Network n;
    n.name = TRY(o.required_string("Name"));
    n.id = TRY(o.required_string("Id"));
    auto created = parse_rfc3339(TRY(o.required_string("Created")));
    if (!created) return o.field_error("Created", "expected an RFC 3339 time");
    n.created_ns = *created;
    n.driver = TRY(o.required_string("Driver"));
    n.ipv6 = TRY(o.optional_bool("EnableIPv6")).value_or(false);
    n.internal = TRY(o.optional_bool("Internal")).value_or(false);
    n.attachable = TRY(o.optional_bool("Attachable")).value_or(false);
    if (const Json* ipam = o.find("IPAM")) {
        auto io = TRY(JsonObject::view(*ipam, "IPAM"));
        n.ipam_options_null = io.find("Options") == nullptr;
        n.ipam_options = TRY(read_map(io, "Options"));
        if (const Json* config = io.find("Config"); config && config->is_array())
            for (size_t i = 0; i < config->size(); ++i)
                n.user_config.push_back(
                    TRY(read_config((*config)[i], "IPAM.Config[" + std::to_string(i) + "]")));
    }
    n.options = TRY(read_map(o, "Options"));
    n.labels = TRY(read_map(o, "Labels"));
    if (const Json* subnets = o.find("Subnets"); subnets && subnets->is_array()) {
        for (size_t i = 0; i < subnets->size(); ++i) {
            auto c = TRY(read_config((*subnets)[i], "Subnets[" + std::to_string(i) + "]"));
            Subnet s;
            s.subnet = TRY(parse_cidr(c.subnet));
            if (!c.ip_range.empty()) s.range = TRY(parse_cidr(c.ip_range));
            auto gw = parse_ip(c.gateway);
            if (!gw)
                return fail("field `Subnets[" + std::to_string(i) +
                            "].Gateway`: expected an IP address");
            s.gateway = *gw;
            n.subnets.push_back(s);
        }
    }
    if (!is_lower_hex(n.id) || n.id.size() != 64)
        return o.field_error("Id", "expected 64 hex digits");
    return n;
}

Json network_inspect_json(const Network& n, Json containers) {
    Json j = Json::object();
    j["Name"] = n.name;
    j["Id"] = n.id;
    j["Created"] = format_rfc3339(n.created_ns);
    j["Scope"] = "local";
    j["Driver"] = n.driver;
    j["EnableIPv6"] = n.ipv6;
    Json ipam = Json::object();
    ipam["Driver"] = "default";
    ipam["Options"] = n.ipam_options_null ? Json(nullptr) : string_map(n.ipam_options);
    Json config = Json::array();
    shown_configs(n, Family::v4, config);
    shown_configs(n, Family::v6, config);
    ipam["Config"] = std::move(config);
    j["IPAM"] = std::move(ipam);
    j["Internal"] = n.internal;
    j["Attachable"] = n.attachable;
    j["Ingress"] = false;
    Json from = Json::object();
    from["Network"] = "";
    j["ConfigFrom"] = std::move(from);
    j["ConfigOnly"] = false;
    j["Containers"] = std::move(containers);
    j["Options"] = string_map(n.options);
    j["Labels"] = string_map(n.labels);
    return j;
}

}  // namespace ferry::net
