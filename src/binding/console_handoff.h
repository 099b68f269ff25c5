// Handing the host console's hold on the boot GPU (host/console_hold.h) over and back: the virtual consoles bound to a
// frame buffer device (fbcon) first, then the firmware's framebuffers on the platform bus. A DRM driver lets go of
// the GPU only once these have; after the GPU's own driver is back they are bound again and its connectors probed,
// so the screen shows the console again.
#pragma once

#include "console_hold.h"
#include "host_root.h"
#include "pci_address.h"

#include <string>
#include <vector>

namespace vfioctl {

// Releases `hold`: the vtconsoles first (fbcon lets go of the framebuffer), then the framebuffers. A step that fails
// gives back what this call released, in reverse order, and throws one sentence naming the step.
void releaseConsole(HostRoot &host, const ConsoleHold &hold);
// Gives back whatever of `hold` is not back yet, in reverse order of release: a step that fails does not stop the
// others. The failures, one sentence each (none: all is back).
std::vector<std::string> restoreConsole(HostRoot &host, const ConsoleHold &hold);
// Asks the kernel to probe every connector of `gpu`'s DRM cards again (status <- "detect"); a connector that cannot
// be probed is a failure in the list, never an exception.
std::vector<std::string> reprobeConnectors(HostRoot &host, const PciAddress &gpu);

} // namespace vfioctl
