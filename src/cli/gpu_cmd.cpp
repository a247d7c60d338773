// `ferry gpu ls` and `ferry gpu cdi generate`: thin shells over gpu/ discovery and CDI
// generation. The host root is `/`, or FERRY_HOST_ROOT (test-only: a fake driver root).

#include "ferry/cli/gpu_cmd.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

#include "ferry/cli/json_template.hpp"

#include "ferry/gpu/cdi.hpp"
#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/host_root.hpp"
#include "ferry/oci/cdi.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

namespace {

Result<gpu::NvidiaHost> discover() {
    auto host = TRY(gpu::HostRoot::open(gpu::default_host_root_path()));
    return gpu::discover_nvidia(host);
}

std::vector<std::string> cdi_names(const gpu::Gpu& g) {
    std::string kind(gpu::k_nvidia_cdi_kind);
    return {kind + "=" + std::to_string(g.index), kind + "=" + g.uuid};
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace

Result<GpuLsOptions> parse_gpu_ls(Args args) {
    GpuLsOptions o;
    FlagSet flags("ferry gpu ls", "[OPTIONS]", "List the host's GPUs");
    flags.add_string(0, "format", &o.format,
                     "Format the output: \"json\", or a Go template per GPU such as "
                     "'{{.Index}} {{.Model}}'");
    flags.set_aliases("ferry gpu ls, ferry gpu list");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_gpu_ls(const GpuLsOptions& o, Context&) {
    gpu::NvidiaHost host = TRY(discover());
    if (!o.format.empty()) {  // "json": one object per GPU; a template: executed on that object
        std::optional<InspectTemplate> tmpl;
        if (o.format != "json") tmpl = TRY(InspectTemplate::parse(o.format));
        std::string out;
        for (const auto& g : host.gpus) {
            nlohmann::ordered_json j = {{"Index", g.index},
                                        {"UUID", g.uuid},
                                        {"Model", g.model},
                                        {"BusID", g.bus_id},
                                        {"Minor", g.minor},
                                        {"Brand", g.brand},
                                        {"ComputeCapability", g.arch},
                                        {"DriverVersion", host.driver_version},
                                        {"CudaVersion", host.cuda_version},
                                        {"CdiNames", cdi_names(g)}};
            out += (tmpl ? TRY(tmpl->render(j)) : j.dump()) + "\n";
        }
        print_out(out);
    } else {
        std::vector<std::vector<std::string>> rows = {
            {"INDEX", "MODEL", "UUID", "BUS ID", "DRIVER", "CUDA", "CDI NAMES"}};
        for (const auto& g : host.gpus) {
            auto names = cdi_names(g);
            rows.push_back({std::to_string(g.index), g.model, g.uuid, g.bus_id, host.driver_version,
                            host.cuda_version, names[0] + "," + names[1]});
        }
        print_out(table(rows));
    }
    if (!host.driver_loaded)
        (void)fs::write_all(2,
                            "ferry: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)\n");
    return 0;
}

Result<int> cmd_gpu_ls(Args args, Context& ctx) {
    return dispatch(parse_gpu_ls, run_gpu_ls, args, ctx);
}

Result<GpuCdiGenerateOptions> parse_gpu_cdi_generate(Args args) {
    GpuCdiGenerateOptions o;
    FlagSet flags("ferry gpu cdi generate", "[OPTIONS]",
                  "Write a CDI spec for the host's NVIDIA GPUs");
    flags.add_string('o', "output", &o.output, "Write to a file instead of stdout", "file");
    flags.add_string(0, "format", &o.format,
                     "Spec format (\"json\"|\"yaml\"; default: from the file name, else yaml)");
    flags.set_details(
        "Devices are named nvidia.com/gpu=INDEX, nvidia.com/gpu=UUID and "
        "nvidia.com/gpu=all. Write\nthe spec to /etc/cdi/nvidia.yaml (or "
        "/var/run/cdi) for other CDI-aware runtimes.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    if (!o.format.empty() && o.format != "json" && o.format != "yaml")
        return fail("unsupported --format `" + o.format + "` (`json` or `yaml`)");
    return o;
}

Result<int> run_gpu_cdi_generate(const GpuCdiGenerateOptions& o, Context&) {
    gpu::NvidiaHost host = TRY(discover());
    oci::cdi::Spec spec = TRY(gpu::generate_nvidia_cdi(host));
    auto format = oci::cdi::Format::yaml;
    if (o.format == "json" ||
        (o.format.empty() && oci::cdi::format_for_path(o.output) == oci::cdi::Format::json))
        format = oci::cdi::Format::json;
    std::string text = oci::cdi::write_spec(spec, format);
    if (o.output.empty()) {
        print_out(text);
        return 0;
    }
    TRY_CTX("write `" + o.output + "`", write_file_atomic(o.output, text));
    return 0;
}

Result<int> cmd_gpu_cdi_generate(Args args, Context& ctx) {
    return dispatch(parse_gpu_cdi_generate, run_gpu_cdi_generate, args, ctx);
}

}  // namespace ferry::cli
