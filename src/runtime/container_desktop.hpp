#pragma once
// A container's desktop (`--desktop`, desktop/): where its files are, and its X server started
// for one start of the container.

#include <string>
#include <vector>

#include "ferry/desktop/xvnc.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// <run dir>/desktop: the cookie and Xvnc's log (desktop/xvnc.hpp).
std::string desktop_dir(const ContainerStore& store, const std::string& id);
// The RFB socket viewers connect to: <run root>/desktop/<short id>.sock (short enough for a
// unix socket's address).
std::string desktop_socket(const ContainerStore& store, const std::string& id);

// Starts the X server of r's desktop (a child of this process) and adds the mounts that give
// the container its display to spec: at every start, so nothing of it is in spec.json. MIT-SHM
// only when the container has the host's IPC namespace.
Result<desktop::Server> start_desktop(const ContainerStore& store, const ContainerRecord& r,
                                      oci::RuntimeSpec& spec);

// Removes the X server files a container's own earlier run left in its layer (upper, the upper
// directory): /tmp/.X<N>-lock and /tmp/.X11-unix/X<N>. No process of that run is alive when the
// container starts again, so they are stale; left, an X server in the image (tigervnc's
// vncserver) refuses the display after a hard stop. Those the image's layers hold (lowers, top
// first: an image committed after a hard stop) are hidden by whiteouts in upper (a kernel of
// 5.8 or later lets any user make one); nothing in the layers changes. One failed open when the
// container never made /tmp/.X11-unix.
void clear_stale_x_files(const std::string& upper, const std::vector<std::string>& lowers);

}  // namespace ferry::runtime
