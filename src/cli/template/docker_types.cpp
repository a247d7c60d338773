// The declarations below are docker 28.2's (api/types of moby, go-connections/nat, go-units,
// the OCI image-spec and docker's image-spec), copied with comments removed and every name
// qualified by the package name reflect prints (ocispec and dockerspec are both `v1`). Fields
// are in Go's order because %v prints them in that order. time.Time and time.Duration are
// scalars here with Go's String() (json.Unmarshal of a time keeps its text, printed as Go
// prints a time.Time); os.FileMode prints as a number, not as Go's `-rwxr-xr-x`.

#include "ferry/cli/template/docker_types.hpp"

#include <cstdio>
#include <string>

#include "ferry/util/gotmpl/go_decl.hpp"

namespace ferry::cli::tmpl {

using gotmpl::Kind;
using gotmpl::Type;
using gotmpl::Value;

namespace {

constexpr std::string_view k_types = R"go(
type container.InspectResponse struct {
	*container.ContainerJSONBase
	Mounts          []container.MountPoint
	Config          *container.Config
	NetworkSettings *container.NetworkSettings
	ImageManifestDescriptor *v1.Descriptor `json:"ImageManifestDescriptor,omitempty"`
}
type container.ContainerJSONBase struct {
	ID              string `json:"Id"`
	Created         string
	Path            string
	Args            []string
	State           *container.State
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string
	Name            string
	RestartCount    int
	Driver          string
	Platform        string
	MountLabel      string
	ProcessLabel    string
	AppArmorProfile string
	ExecIDs         []string
	HostConfig      *container.HostConfig
	GraphDriver     storage.DriverData
	SizeRw          *int64 `json:",omitempty"`
	SizeRootFs      *int64 `json:",omitempty"`
}
type container.MountPoint struct {
	Type mount.Type `json:",omitempty"`
	Name string `json:",omitempty"`
	Source string
	Destination string
	Driver string `json:",omitempty"`
	Mode string
	RW bool
	Propagation mount.Propagation
}
type container.State struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  string
	FinishedAt string
	Health     *container.Health `json:",omitempty"`
}
type container.Health struct {
	Status        string
	FailingStreak int
	Log           []*container.HealthcheckResult
}
type container.HealthcheckResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}
type container.Config struct {
	Hostname        string
	Domainname      string
	User            string
	AttachStdin     bool
	AttachStdout    bool
	AttachStderr    bool
	ExposedPorts    nat.PortSet `json:",omitempty"`
	Tty             bool
	OpenStdin       bool
	StdinOnce       bool
	Env             []string
	Cmd             strslice.StrSlice
	Healthcheck     *v1.HealthcheckConfig `json:",omitempty"`
	ArgsEscaped     bool `json:",omitempty"`
	Image           string
	Volumes         map[string]struct{}
	WorkingDir      string
	Entrypoint      strslice.StrSlice
	NetworkDisabled bool `json:",omitempty"`
	MacAddress      string `json:",omitempty"`
	OnBuild         []string
	Labels          map[string]string
	StopSignal      string `json:",omitempty"`
	StopTimeout     *int `json:",omitempty"`
	Shell           strslice.StrSlice `json:",omitempty"`
}
type v1.HealthcheckConfig struct {
	Test          []string `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int `json:",omitempty"`
}
type container.CgroupnsMode string
type container.Isolation string
type container.IpcMode string
type container.NetworkMode string
type container.UsernsMode string
type container.CgroupSpec string
type container.UTSMode string
type container.PidMode string
type container.RestartPolicyMode string
type container.DeviceRequest struct {
	Driver       string
	Count        int
	DeviceIDs    []string
	Capabilities [][]string
	Options      map[string]string
}
type container.DeviceMapping struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}
type container.RestartPolicy struct {
	Name              container.RestartPolicyMode
	MaximumRetryCount int
}
type container.LogConfig struct {
	Type   string
	Config map[string]string
}
type container.Resources struct {
	CPUShares            int64 `json:"CpuShares"`
	Memory               int64
	NanoCPUs             int64 `json:"NanoCpus"`
	CgroupParent         string
	BlkioWeight          uint16
	BlkioWeightDevice    []*blkiodev.WeightDevice
	BlkioDeviceReadBps   []*blkiodev.ThrottleDevice
	BlkioDeviceWriteBps  []*blkiodev.ThrottleDevice
	BlkioDeviceReadIOps  []*blkiodev.ThrottleDevice
	BlkioDeviceWriteIOps []*blkiodev.ThrottleDevice
	CPUPeriod            int64 `json:"CpuPeriod"`
	CPUQuota             int64 `json:"CpuQuota"`
	CPURealtimePeriod    int64 `json:"CpuRealtimePeriod"`
	CPURealtimeRuntime   int64 `json:"CpuRealtimeRuntime"`
	CpusetCpus           string
	CpusetMems           string
	Devices              []container.DeviceMapping
	DeviceCgroupRules    []string
	DeviceRequests       []container.DeviceRequest
	KernelMemory         int64 `json:",omitempty"`
	KernelMemoryTCP      int64 `json:",omitempty"`
	MemoryReservation    int64
	MemorySwap           int64
	MemorySwappiness     *int64
	OomKillDisable       *bool
	PidsLimit            *int64
	Ulimits              []*units.Ulimit
	CPUCount             int64 `json:"CpuCount"`
	CPUPercent           int64 `json:"CpuPercent"`
	IOMaximumIOps        uint64
	IOMaximumBandwidth   uint64
}
type container.HostConfig struct {
	Binds           []string
	ContainerIDFile string
	LogConfig       container.LogConfig
	NetworkMode     container.NetworkMode
	PortBindings    nat.PortMap
	RestartPolicy   container.RestartPolicy
	AutoRemove      bool
	VolumeDriver    string
	VolumesFrom     []string
	ConsoleSize     [2]uint
	Annotations     map[string]string `json:",omitempty"`
	CapAdd          strslice.StrSlice
	CapDrop         strslice.StrSlice
	CgroupnsMode    container.CgroupnsMode
	DNS             []string `json:"Dns"`
	DNSOptions      []string `json:"DnsOptions"`
	DNSSearch       []string `json:"DnsSearch"`
	ExtraHosts      []string
	GroupAdd        []string
	IpcMode         container.IpcMode
	Cgroup          container.CgroupSpec
	Links           []string
	OomScoreAdj     int
	PidMode         container.PidMode
	Privileged      bool
	PublishAllPorts bool
	ReadonlyRootfs  bool
	SecurityOpt     []string
	StorageOpt      map[string]string `json:",omitempty"`
	Tmpfs           map[string]string `json:",omitempty"`
	UTSMode         container.UTSMode
	UsernsMode      container.UsernsMode
	ShmSize         int64
	Sysctls         map[string]string `json:",omitempty"`
	Runtime         string `json:",omitempty"`
	Isolation       container.Isolation
	container.Resources
	Mounts          []mount.Mount `json:",omitempty"`
	MaskedPaths     []string
	ReadonlyPaths   []string
	Init            *bool `json:",omitempty"`
}
type container.NetworkSettings struct {
	container.NetworkSettingsBase
	container.DefaultNetworkSettings
	Networks map[string]*network.EndpointSettings
}
type container.NetworkSettingsBase struct {
	Bridge                 string
	SandboxID              string
	SandboxKey             string
	Ports                  nat.PortMap
	HairpinMode            bool
	LinkLocalIPv6Address   string
	LinkLocalIPv6PrefixLen int
	SecondaryIPAddresses   []network.Address
	SecondaryIPv6Addresses []network.Address
}
type container.DefaultNetworkSettings struct {
	EndpointID          string
	Gateway             string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	MacAddress          string
}
type network.Address struct {
	Addr      string
	PrefixLen int
}
type network.EndpointSettings struct {
	IPAMConfig          *network.EndpointIPAMConfig
	Links               []string
	Aliases             []string
	MacAddress          string
	DriverOpts          map[string]string
	GwPriority          int
	NetworkID           string
	EndpointID          string
	Gateway             string
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	DNSNames            []string
}
type network.EndpointIPAMConfig struct {
	IPv4Address  string `json:",omitempty"`
	IPv6Address  string `json:",omitempty"`
	LinkLocalIPs []string `json:",omitempty"`
}
type mount.Type string
type mount.Propagation string
type mount.Consistency string
type mount.Mount struct {
	Type           mount.Type `json:",omitempty"`
	Source         string `json:",omitempty"`
	Target         string `json:",omitempty"`
	ReadOnly       bool `json:",omitempty"`
	Consistency    mount.Consistency `json:",omitempty"`
	BindOptions    *mount.BindOptions `json:",omitempty"`
	VolumeOptions  *mount.VolumeOptions `json:",omitempty"`
	ImageOptions   *mount.ImageOptions `json:",omitempty"`
	TmpfsOptions   *mount.TmpfsOptions `json:",omitempty"`
	ClusterOptions *mount.ClusterOptions `json:",omitempty"`
}
type mount.BindOptions struct {
	Propagation            mount.Propagation `json:",omitempty"`
	NonRecursive           bool `json:",omitempty"`
	CreateMountpoint       bool `json:",omitempty"`
	ReadOnlyNonRecursive   bool `json:",omitempty"`
	ReadOnlyForceRecursive bool `json:",omitempty"`
}
type mount.VolumeOptions struct {
	NoCopy       bool `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	Subpath      string `json:",omitempty"`
	DriverConfig *mount.Driver `json:",omitempty"`
}
type mount.ImageOptions struct {
	Subpath string `json:",omitempty"`
}
type mount.Driver struct {
	Name    string `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
}
type mount.TmpfsOptions struct {
	SizeBytes int64 `json:",omitempty"`
	Mode      os.FileMode `json:",omitempty"`
	Options   [][]string `json:",omitempty"`
}
type mount.ClusterOptions struct {
}
type blkiodev.WeightDevice struct {
	Path   string
	Weight uint16
}
type blkiodev.ThrottleDevice struct {
	Path string
	Rate uint64
}
type strslice.StrSlice []string
type nat.Port string
type nat.PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}
type nat.PortMap map[nat.Port][]nat.PortBinding
type nat.PortSet map[nat.Port]struct{}
type units.Ulimit struct {
	Name string
	Hard int64
	Soft int64
}
type storage.DriverData struct {
	Data map[string]string `json:"Data"`
	Name string `json:"Name"`
}
type v1.Descriptor struct {
	MediaType    string `json:"mediaType"`
	Digest       digest.Digest `json:"digest"`
	Size         int64 `json:"size"`
	URLs         []string `json:"urls,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Data         []byte `json:"data,omitempty"`
	Platform     *v1.Platform `json:"platform,omitempty"`
	ArtifactType string `json:"artifactType,omitempty"`
}
type v1.Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	OSVersion    string `json:"os.version,omitempty"`
	OSFeatures   []string `json:"os.features,omitempty"`
	Variant      string `json:"variant,omitempty"`
}
type digest.Digest string

type image.InspectResponse struct {
	ID              string `json:"Id"`
	RepoTags        []string
	RepoDigests     []string
	Parent          string
	Comment         string
	Created         string `json:",omitempty"`
	Container       string `json:",omitempty"`
	ContainerConfig *container.Config `json:",omitempty"`
	DockerVersion   string
	Author          string
	Config          *v1.DockerOCIImageConfig
	Architecture    string
	Variant         string `json:",omitempty"`
	Os              string
	OsVersion       string `json:",omitempty"`
	Size            int64
	VirtualSize     int64 `json:"VirtualSize,omitempty"`
	GraphDriver     storage.DriverData
	RootFS          image.RootFS
	Metadata        image.Metadata
	Descriptor      *v1.Descriptor `json:"Descriptor,omitempty"`
	Manifests       []image.ManifestSummary `json:"Manifests,omitempty"`
}
type image.RootFS struct {
	Type   string `json:",omitempty"`
	Layers []string `json:",omitempty"`
}
type image.Metadata struct {
	LastTagTime time.Time `json:",omitempty"`
}
type image.ManifestSummary struct {
	ID         string `json:"ID"`
	Descriptor v1.Descriptor `json:"Descriptor"`
	Available  bool `json:"Available"`
	Kind       string `json:"Kind"`
}
type v1.DockerOCIImageConfig struct {
	v1.ImageConfig
	v1.DockerOCIImageConfigExt
}
type v1.ImageConfig struct {
	User         string `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string `json:"Env,omitempty"`
	Entrypoint   []string `json:"Entrypoint,omitempty"`
	Cmd          []string `json:"Cmd,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir   string `json:"WorkingDir,omitempty"`
	Labels       map[string]string `json:"Labels,omitempty"`
	StopSignal   string `json:"StopSignal,omitempty"`
	ArgsEscaped  bool `json:"ArgsEscaped,omitempty"`
}
type v1.DockerOCIImageConfigExt struct {
	Healthcheck *v1.HealthcheckConfig `json:",omitempty"`
	OnBuild     []string `json:",omitempty"`
	Shell       []string `json:",omitempty"`
}

type volume.Volume struct {
	ClusterVolume *volume.ClusterVolume `json:"ClusterVolume,omitempty"`
	CreatedAt     string `json:"CreatedAt,omitempty"`
	Driver        string `json:"Driver"`
	Labels        map[string]string `json:"Labels"`
	Mountpoint    string `json:"Mountpoint"`
	Name          string `json:"Name"`
	Options       map[string]string `json:"Options"`
	Scope         string `json:"Scope"`
	Status        map[string]interface{} `json:"Status,omitempty"`
	UsageData     *volume.UsageData `json:"UsageData,omitempty"`
}
type volume.ClusterVolume struct {
	ID string
}
type volume.UsageData struct {
	RefCount int64 `json:"RefCount"`
	Size     int64 `json:"Size"`
}
)go";

// Go's Duration.String: 1h2m3.5s, 1.5ms, 0s.
std::string duration_string(int64_t d) {
    if (d == 0) return "0s";
    bool neg = d < 0;
    uint64_t u = neg ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d);
    auto frac = [](uint64_t v, int digits) {
        std::string s = std::to_string(v);
        s.insert(
            0,
            static_cast<size_t>(digits) - std::min<size_t>(s.size(), static_cast<size_t>(digits)),
            '0');
        while (!s.empty() && s.back() == '0')
            s.pop_back();
        return s.empty() ? std::string() : "." + s;
    };
    std::string out;
    if (u < 1000000000ull) {
        if (u < 1000)
            out = std::to_string(u) + "ns";
        else if (u < 1000000)
            out = std::to_string(u / 1000) + frac(u % 1000, 3) + "µs";
        else
            out = std::to_string(u / 1000000) + frac(u % 1000000, 6) + "ms";
    } else {
        uint64_t secs = u / 1000000000ull;
        out = std::to_string(secs % 60) + frac(u % 1000000000ull, 9) + "s";
        uint64_t mins = secs / 60;
        if (mins > 0) {
            out = std::to_string(mins % 60) + "m" + out;
            if (mins / 60 > 0) out = std::to_string(mins / 60) + "h" + out;
        }
    }
    return neg ? "-" + out : out;
}

// Go's Time.String of an RFC 3339 text: 2026-12-06 11:16:21.419674297 +0000 UTC.
std::string time_string(const std::string& rfc) {
    if (rfc.size() < 19) return rfc;
    std::string out = rfc.substr(0, 10) + " " + rfc.substr(11, 8);
    size_t i = 19;
    if (i < rfc.size() && rfc[i] == '.') {
        size_t j = i + 1;
        while (j < rfc.size() && std::isdigit(static_cast<unsigned char>(rfc[j])))
            ++j;
        std::string f = rfc.substr(i, j - i);
        while (f.size() > 1 && f.back() == '0')
            f.pop_back();
        if (f.size() > 1) out += f;
        i = j;
    }
    std::string zone = i < rfc.size() ? rfc.substr(i) : "Z";
    if (zone == "Z") return out + " +0000 UTC";
    std::string off = zone.substr(0, 3) + zone.substr(4, 2);
    return out + " " + off + " " + off;
}

Result<void> declare_all() {
    Type* time_t_ = gotmpl::named_type("time.Time", Kind::string);
    time_t_->stringer = [](const Value& v) { return time_string(v.as_string()); };
    time_t_->marshal_json = [](const Value& v) { return "\"" + v.as_string() + "\""; };
    Type* duration = gotmpl::named_type("time.Duration", Kind::integer);
    duration->stringer = [](const Value& v) { return duration_string(v.as_int()); };
    gotmpl::named_type("os.FileMode", Kind::unsigned_integer);
    return gotmpl::declare_types(k_types);
}

}  // namespace

const Type* docker_type(std::string_view name) {
    static const bool ok = [] {
        auto r = declare_all();
        if (!r) std::fprintf(stderr, "ferry: internal error: %s\n", r.error().message.c_str());
        return r.has_value();
    }();
    if (!ok) return nullptr;
    const Type* t = gotmpl::lookup_type(name);
    return t && t->kind == Kind::structure ? t : nullptr;
}

}  // namespace ferry::cli::tmpl
