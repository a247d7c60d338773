// The declarations below are those docker 20.10's CLI decodes into (Debian's docker.io, the
// docker this project compares with: api/types of moby 20.10, go-connections/nat, go-units),
// copied with comments removed and every name qualified by the package name reflect prints.
// Fields are in Go's order because %v prints them in that order. (docker 23+ renamed some of
// them, container.InspectResponse for types.ContainerJSON, and added fields.) time.Time and
// time.Duration are scalars here with Go's String() (json.Unmarshal of a time keeps its text,
// printed as Go prints a time.Time); os.FileMode prints as a number, not as Go's `-rwxr-xr-x`.
// info's types.Info carries docker 25+'s CDISpecDirs and DiscoveredDevices (system.DeviceInfo),
// which ferry reports; swarm.ClusterInfo, never set here, is cut to its ID.

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
type types.ContainerJSON struct {
	*types.ContainerJSONBase
	Mounts          []types.MountPoint
	Config          *container.Config
	NetworkSettings *types.NetworkSettings
}
type types.ContainerJSONBase struct {
	ID              string `json:"Id"`
	Created         string
	Path            string
	Args            []string
	State           *types.ContainerState
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string
	Node            *types.ContainerNode `json:",omitempty"`
	Name            string
	RestartCount    int
	Driver          string
	Platform        string
	MountLabel      string
	ProcessLabel    string
	AppArmorProfile string
	ExecIDs         []string
	HostConfig      *container.HostConfig
	GraphDriver     types.GraphDriverData
	SizeRw          *int64 `json:",omitempty"`
	SizeRootFs      *int64 `json:",omitempty"`
}
type types.ContainerNode struct {
	ID        string
	IPAddress string `json:"IP"`
	Addr      string
	Name      string
	Cpus      int
	Memory    int64
	Labels    map[string]string
}
type types.ContainerState struct {
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
	Health     *types.Health `json:",omitempty"`
}
type types.Health struct {
	Status        string
	FailingStreak int
	Log           []*types.HealthcheckResult
}
type types.HealthcheckResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}
type types.MountPoint struct {
	Type        mount.Type `json:",omitempty"`
	Name        string `json:",omitempty"`
	Source      string
	Destination string
	Driver      string `json:",omitempty"`
	Mode        string
	RW          bool
	Propagation mount.Propagation
}
type types.NetworkSettings struct {
	types.NetworkSettingsBase
	types.DefaultNetworkSettings
	Networks map[string]*network.EndpointSettings
}
type types.NetworkSettingsBase struct {
	Bridge                 string
	SandboxID              string
	HairpinMode            bool
	LinkLocalIPv6Address   string
	LinkLocalIPv6PrefixLen int
	Ports                  nat.PortMap
	SandboxKey             string
	SecondaryIPAddresses   []network.Address
	SecondaryIPv6Addresses []network.Address
}
type types.DefaultNetworkSettings struct {
	EndpointID          string
	Gateway             string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	MacAddress          string
}
type types.GraphDriverData struct {
	Data map[string]string `json:"Data"`
	Name string `json:"Name"`
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
	Healthcheck     *container.HealthConfig `json:",omitempty"`
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
type container.HealthConfig struct {
	Test        []string `json:",omitempty"`
	Interval    time.Duration `json:",omitempty"`
	Timeout     time.Duration `json:",omitempty"`
	StartPeriod time.Duration `json:",omitempty"`
	Retries     int `json:",omitempty"`
}
type container.CgroupnsMode string
type container.Isolation string
type container.IpcMode string
type container.NetworkMode string
type container.UsernsMode string
type container.CgroupSpec string
type container.UTSMode string
type container.PidMode string
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
	Name              string
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
	KernelMemory         int64
	KernelMemoryTCP      int64
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
	ConsoleSize     [2]uint
	Isolation       container.Isolation
	container.Resources
	Mounts          []mount.Mount `json:",omitempty"`
	MaskedPaths     []string
	ReadonlyPaths   []string
	Init            *bool `json:",omitempty"`
}
type network.Address struct {
	Addr      string
	PrefixLen int
}
type network.EndpointSettings struct {
	IPAMConfig          *network.EndpointIPAMConfig
	Links               []string
	Aliases             []string
	NetworkID           string
	EndpointID          string
	Gateway             string
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	MacAddress          string
	DriverOpts          map[string]string
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
	Type          mount.Type `json:",omitempty"`
	Source        string `json:",omitempty"`
	Target        string `json:",omitempty"`
	ReadOnly      bool `json:",omitempty"`
	Consistency   mount.Consistency `json:",omitempty"`
	BindOptions   *mount.BindOptions `json:",omitempty"`
	VolumeOptions *mount.VolumeOptions `json:",omitempty"`
	TmpfsOptions  *mount.TmpfsOptions `json:",omitempty"`
}
type mount.BindOptions struct {
	Propagation  mount.Propagation `json:",omitempty"`
	NonRecursive bool `json:",omitempty"`
}
type mount.VolumeOptions struct {
	NoCopy       bool `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	DriverConfig *mount.Driver `json:",omitempty"`
}
type mount.Driver struct {
	Name    string `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
}
type mount.TmpfsOptions struct {
	SizeBytes int64 `json:",omitempty"`
	Mode      os.FileMode `json:",omitempty"`
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

type types.ImageInspect struct {
	ID              string `json:"Id"`
	RepoTags        []string
	RepoDigests     []string
	Parent          string
	Comment         string
	Created         string
	Container       string
	ContainerConfig *container.Config
	DockerVersion   string
	Author          string
	Config          *container.Config
	Architecture    string
	Variant         string `json:",omitempty"`
	Os              string
	OsVersion       string `json:",omitempty"`
	Size            int64
	VirtualSize     int64
	GraphDriver     types.GraphDriverData
	RootFS          types.RootFS
	Metadata        types.ImageMetadata
}
type types.RootFS struct {
	Type      string
	Layers    []string `json:",omitempty"`
	BaseLayer string `json:",omitempty"`
}
type types.ImageMetadata struct {
	LastTagTime time.Time `json:",omitempty"`
}

type types.Volume struct {
	CreatedAt  string `json:"CreatedAt,omitempty"`
	Driver     string `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string `json:"Mountpoint"`
	Name       string `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string `json:"Scope"`
	Status     map[string]interface{} `json:"Status,omitempty"`
	UsageData  *types.VolumeUsageData `json:"UsageData,omitempty"`
}
type types.NetworkResource struct {
	Name       string
	ID         string `json:"Id"`
	Created    time.Time
	Scope      string
	Driver     string
	EnableIPv6 bool
	IPAM       network.IPAM
	Internal   bool
	Attachable bool
	Ingress    bool
	ConfigFrom network.ConfigReference
	ConfigOnly bool
	Containers map[string]types.EndpointResource
	Options    map[string]string
	Labels     map[string]string
}
type network.IPAM struct {
	Driver  string
	Options map[string]string
	Config  []network.IPAMConfig
}
type network.IPAMConfig struct {
	Subnet     string            `json:",omitempty"`
	IPRange    string            `json:",omitempty"`
	Gateway    string            `json:",omitempty"`
	AuxAddress map[string]string `json:"AuxiliaryAddresses,omitempty"`
}
type network.ConfigReference struct {
	Network string
}
type types.EndpointResource struct {
	Name        string
	EndpointID  string
	MacAddress  string
	IPv4Address string
	IPv6Address string
}
type types.VolumeUsageData struct {
	RefCount int64 `json:"RefCount"`
	Size     int64 `json:"Size"`
}
type system.info struct {
	*types.Info
	ClientInfo   *system.clientInfo
	ClientErrors []string
}
type system.clientInfo struct {
	Debug    bool
	Version  string
	Context  string
	Plugins  []pluginmanager.Plugin
	Warnings []string
}
type pluginmanager.Plugin struct {
	SchemaVersion    string `json:",omitempty"`
	Vendor           string `json:",omitempty"`
	Version          string `json:",omitempty"`
	ShortDescription string `json:",omitempty"`
	URL              string `json:",omitempty"`
	Name             string
	Path             string
}
type types.Info struct {
	ID                  string
	Containers          int
	ContainersRunning   int
	ContainersPaused    int
	ContainersStopped   int
	Images              int
	Driver              string
	DriverStatus        [][2]string
	SystemStatus        [][2]string `json:",omitempty"`
	Plugins             types.PluginsInfo
	MemoryLimit         bool
	SwapLimit           bool
	KernelMemory        bool `json:",omitempty"`
	KernelMemoryTCP     bool
	CPUCfsPeriod        bool `json:"CpuCfsPeriod"`
	CPUCfsQuota         bool `json:"CpuCfsQuota"`
	CPUShares           bool
	CPUSet              bool
	PidsLimit           bool
	IPv4Forwarding      bool
	BridgeNfIptables    bool
	BridgeNfIP6tables   bool `json:"BridgeNfIp6tables"`
	Debug               bool
	NFd                 int
	OomKillDisable      bool
	NGoroutines         int
	SystemTime          string
	LoggingDriver       string
	CgroupDriver        string
	CgroupVersion       string `json:",omitempty"`
	NEventsListener     int
	KernelVersion       string
	OperatingSystem     string
	OSVersion           string
	OSType              string
	Architecture        string
	IndexServerAddress  string
	RegistryConfig      *registry.ServiceConfig
	NCPU                int
	MemTotal            int64
	GenericResources    []swarm.GenericResource
	DockerRootDir       string
	HTTPProxy           string `json:"HttpProxy"`
	HTTPSProxy          string `json:"HttpsProxy"`
	NoProxy             string
	Name                string
	Labels              []string
	ExperimentalBuild   bool
	ServerVersion       string
	ClusterStore        string `json:",omitempty"`
	ClusterAdvertise    string `json:",omitempty"`
	Runtimes            map[string]types.Runtime
	DefaultRuntime      string
	Swarm               swarm.Info
	LiveRestoreEnabled  bool
	Isolation           container.Isolation
	InitBinary          string
	ContainerdCommit    types.Commit
	RuncCommit          types.Commit
	InitCommit          types.Commit
	SecurityOptions     []string
	ProductLicense      string `json:",omitempty"`
	DefaultAddressPools []types.NetworkAddressPool `json:",omitempty"`
	CDISpecDirs         []string
	DiscoveredDevices   []system.DeviceInfo `json:",omitempty"`
	Warnings            []string
}
type types.PluginsInfo struct {
	Volume        []string
	Network       []string
	Authorization []string
	Log           []string
}
type types.Runtime struct {
	Path string   `json:"path,omitempty"`
	Args []string `json:"runtimeArgs,omitempty"`
}
type types.Commit struct {
	ID       string
	Expected string
}
type types.NetworkAddressPool struct {
	Base string
	Size int
}
type system.DeviceInfo struct {
	Source string `json:"Source"`
	ID     string `json:"ID"`
}
type registry.NetIPNet string
type registry.IndexInfo struct {
	Name     string
	Mirrors  []string
	Secure   bool
	Official bool
}
type registry.ServiceConfig struct {
	AllowNondistributableArtifactsCIDRs     []*registry.NetIPNet
	AllowNondistributableArtifactsHostnames []string
	InsecureRegistryCIDRs                   []*registry.NetIPNet `json:"InsecureRegistryCIDRs"`
	IndexConfigs                            map[string]*registry.IndexInfo `json:"IndexConfigs"`
	Mirrors                                 []string
}
type swarm.NamedGenericResource struct {
	Kind  string `json:",omitempty"`
	Value string `json:",omitempty"`
}
type swarm.DiscreteGenericResource struct {
	Kind  string `json:",omitempty"`
	Value int64  `json:",omitempty"`
}
type swarm.GenericResource struct {
	NamedResourceSpec    *swarm.NamedGenericResource `json:",omitempty"`
	DiscreteResourceSpec *swarm.DiscreteGenericResource `json:",omitempty"`
}
type swarm.LocalNodeState string
type swarm.Peer struct {
	NodeID string
	Addr   string
}
type swarm.ClusterInfo struct {
	ID string
}
type swarm.Info struct {
	NodeID           string
	NodeAddr         string
	LocalNodeState   swarm.LocalNodeState
	ControlAvailable bool
	Error            string
	RemoteManagers   []swarm.Peer
	Nodes            int `json:",omitempty"`
	Managers         int `json:",omitempty"`
	Cluster          *swarm.ClusterInfo `json:",omitempty"`
	Warnings         []string `json:",omitempty"`
}

type events.Actor struct {
	ID         string
	Attributes map[string]string
}
type events.Message struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string
	Action   string
	Actor    events.Actor
	Scope    string `json:"scope,omitempty"`
	Time     int64 `json:"time,omitempty"`
	TimeNano int64 `json:"timeNano,omitempty"`
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
