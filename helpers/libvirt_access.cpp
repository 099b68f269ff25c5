#include "libvirt_access.h"

#include "error.h"
#include "libvirt_hypervisor.h"

#include <ostream>

namespace vfioctl::cli {

void addConnectOption(po::options_description &options)
{
    options.add_options()("connect,c", po::value<std::string>(),
                          "libvirt URI (default qemu:///system; test:///PATH for a libvirt test-driver file)");
}

std::unique_ptr<Hypervisor> connectOrFail(const po::variables_map &values, bool readOnly)
{
    const std::string uri = values.count("connect") ? values["connect"].as<std::string>() : defaultConnectUri;
    return connectLibvirt(uri, readOnly);
}

std::optional<HolderMap> holdingsForListing(CommandContext &context, const po::variables_map &values)
{
    if (!values.count("connect") && !context.liveHost)
        return std::nullopt;
    try {
        return findHolders(connectOrFail(values, true)->domains());
    } catch (const Error &error) {
        context.err << "vfioctl: note: VM holders are not shown: " << error.what() << "\n";
        return std::nullopt;
    }
}

} // namespace vfioctl::cli
