#include "command.h"

#include <ostream>

namespace vfioctl::cli {

std::span<const Command> commandTable()
{
    static const Command commands[] = {
        {"list", "list host devices (PCI, USB, SCSI, network, block) and whether each PCI device can be passed through",
         runList},
        {"groups", "list IOMMU groups and their devices", runGroups},
        {"affected", "show every device that goes with a PCI device when it is passed through", runAffected},
        {"bind", "bind devices and their whole IOMMU groups to vfio-pci, all or nothing", runBind},
        {"unbind", "give devices back to the driver they had before", runUnbind},
        {"restore", "give back everything an owner (a VM, or manual) holds", runRestore},
        {"recover", "roll back every binding that did not finish (after a crash)", runRecover},
        {"status", "show which devices are held, by whom and since when", runStatus},
        {"holders", "show which VMs (running or not) hold a PCI device", runHolders},
        {"assign", "add a PCI device and its IOMMU group companions to a VM (--config, --live)", runAssign},
        {"unassign", "remove a PCI device and its IOMMU group companions from a VM (--config, --live)", runUnassign},
        {"persist", "claim devices (by address or VENDOR:DEVICE) for vfio-pci from early boot", runPersist},
        {"unpersist", "stop claiming devices for vfio-pci at boot", runUnpersist},
        {"check", "check that this host can do PCI passthrough, with the fix for each problem", runCheck},
    };
    return commands;
}

bool parseArguments(std::string_view command, std::string_view usage, const std::vector<std::string> &args,
                    po::options_description &options, const po::positional_options_description &positional,
                    po::variables_map &values, std::ostream &out)
{
    options.add_options()("help,h", "show this help");
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), values);
        if (values.count("help")) {
            out << "usage: vfioctl " << command << " " << usage << "\n\n" << options;
            return false;
        }
        po::notify(values);
    } catch (const po::error &error) {
        throw UsageError(error.what(), std::string(command));
    }
    return true;
}

} // namespace vfioctl::cli
