// ferry-fw-test: a small driver for src/net's firewall, used by the integration test and to time
// one publish transaction. Not installed. A port is HOSTIP,HOSTPORT,CONTAINERIP,CONTAINERPORT,PROTO
// with HOSTIP empty for any address.
//
//   ferry-fw-test add-network BRIDGE SUBNET4 [--subnet6 SUBNET] [--internal]
//   ferry-fw-test remove-network BRIDGE SUBNET4 [--subnet6 SUBNET] [--internal]
//   ferry-fw-test publish PORT...        ferry-fw-test unpublish PORT...
//   ferry-fw-test list                   prints one published port a line, in PORT's form
//   ferry-fw-test remove-all
//   ferry-fw-test bench N CONTAINERIP    publishes and unpublishes one port N times; prints the
//                                        median milliseconds of a publish and of an unpublish

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ferry/net/firewall.hpp"

using namespace ferry;
using namespace ferry::net;

namespace {

int die(const std::string& message) {
    std::fprintf(stderr, "ferry-fw-test: %s\n", message.c_str());
    return 125;
}

bool parse_network(int argc, char** argv, FirewallNetwork& net) {
    if (argc < 4) return false;
    net.bridge = argv[2];
    net.subnet4 = argv[3];
    for (int i = 4; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--internal") net.internal = true;
        else if (a == "--subnet6" && i + 1 < argc) net.subnet6 = argv[++i];
        else return false;
    }
    return true;
}

bool parse_port(const std::string& text, PublishedPort& port) {
    std::vector<std::string> f;
    size_t start = 0;
    for (;;) {
        size_t comma = text.find(',', start);
        f.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (f.size() != 5 || (f[4] != "tcp" && f[4] != "udp")) return false;
    port.host_ip = f[0];
    port.host_port = static_cast<uint16_t>(std::stoul(f[1]));
    port.container_ip = f[2];
    port.container_port = static_cast<uint16_t>(std::stoul(f[3]));
    port.proto = f[4] == "tcp" ? Proto::tcp : Proto::udp;
    return true;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int bench(int n, const std::string& container_ip) {
    PublishedPort p{.host_ip = "", .host_port = 40999, .container_ip = container_ip,
                    .container_port = 80, .proto = Proto::tcp};
    std::vector<double> pub, unpub;
    for (int i = 0; i < n; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        if (auto r = publish({&p, 1}); !r) return die(r.error().message);
        pub.push_back(ms_since(t0));
        t0 = std::chrono::steady_clock::now();
        if (auto r = unpublish({&p, 1}); !r) return die(r.error().message);
        unpub.push_back(ms_since(t0));
    }
    std::ranges::sort(pub);
    std::ranges::sort(unpub);
    std::printf("publish %.3f ms, unpublish %.3f ms (median of %d)\n",
                pub[pub.size() / 2], unpub[unpub.size() / 2], n);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return die("usage: see the source");
    std::string cmd = argv[1];
    Result<void> r;
    if (cmd == "add-network" || cmd == "remove-network") {
        FirewallNetwork net;
        if (!parse_network(argc, argv, net)) return die("bad network arguments");
        r = cmd == "add-network" ? add_network(net) : remove_network(net);
    } else if (cmd == "publish" || cmd == "unpublish") {
        std::vector<PublishedPort> ports;
        for (int i = 2; i < argc; ++i) {
            PublishedPort p;
            if (!parse_port(argv[i], p)) return die(std::string("bad port `") + argv[i] + "`");
            ports.push_back(p);
        }
        r = cmd == "publish" ? publish(ports) : unpublish(ports);
    } else if (cmd == "list") {
        auto ports = list_published();
        if (!ports) return die(ports.error().message);
        for (const auto& p : *ports)
            std::printf("%s,%u,%s,%u,%s\n", p.host_ip.c_str(), p.host_port, p.container_ip.c_str(),
                        p.container_port, p.proto == Proto::tcp ? "tcp" : "udp");
    } else if (cmd == "remove-all") {
        r = remove_all();
    } else if (cmd == "bench" && argc == 4) {
        return bench(std::stoi(argv[2]), argv[3]);
    } else {
        return die("unknown command `" + cmd + "`");
    }
    if (!r) return die(r.error().message);
    return 0;
}
