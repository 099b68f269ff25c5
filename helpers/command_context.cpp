#include "command.h"

#include "error.h"
#include "libvirt_hypervisor.h"
#include "pci_address.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

constexpr const char *defaultConnectUri = "qemu:///system";

// What had to be skipped is a note on err, never a failure.
Inventory withNotesShown(Inventory inventory, std::ostream &err)
{
    for (const auto &note : inventory.notes)
        err << "vfioctl: note: " << note << "\n";
    return inventory;
}

} // namespace

CommandContext::CommandContext(HostHandles handles, Needs needs, const po::variables_map &parsed, std::ostream &output,
                               std::ostream &errors)
    : host(handles.root), names(handles.names), values(parsed), out(output), err(errors), liveHost(handles.live),
      modules_(handles.modules), services_(handles.services), needs_(needs)
{
}

CommandContext::~CommandContext() = default;

BindEngine &CommandContext::engine()
{
    if (!engine_) {
        engine_ = std::make_unique<BindEngine>(host, modules_, timeout());
        if (services_)
            engine_->setServiceManager(*services_);
        engine_->setLibvirtAsker([this] { return libvirtHoldings(); });
    }
    return *engine_;
}

std::chrono::milliseconds CommandContext::timeout() const
{
    const double seconds = values.count("timeout") ? values["timeout"].as<double>() : 10.0;
    if (!(seconds >= 0.001 && seconds <= 600)) // the command is named by dispatch
        throw UsageError("--timeout must be more than 0 and at most 600 seconds", "");
    return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

Hypervisor &CommandContext::hypervisor()
{
    if (!hypervisor_) {
        if (!values.count("connect") && !liveHost)
            throw Error("under --root, libvirt is asked only with --connect URI: the tree is not this host's", EINVAL);
        const std::string uri = values.count("connect") ? values["connect"].as<std::string>() : defaultConnectUri;
        hypervisor_ =
            connectLibvirt(uri, has(needs_, Needs::Moves) ? LibvirtAccess::ReadWrite
                                                          : LibvirtAccess::ReadOnly); // only what changes VMs writes
    }
    return *hypervisor_;
}

Inventory CommandContext::scan(const std::vector<PciAddress> &only)
{
    return withNotesShown(only.empty() ? scanInventory(host, names) : scanInventoryFor(host, names, only), err);
}

Inventory CommandContext::scanReading(PciFacts facts)
{
    return withNotesShown(scanInventory(host, names, facts), err);
}

std::optional<HolderMap> CommandContext::holdingsForListing()
{
    if (!values.count("connect") && !liveHost)
        return std::nullopt;
    try {
        return findHolders(hypervisor().domains());
    } catch (const Error &error) {
        err << "vfioctl: note: VM holders are not shown: " << error.what() << "\n";
        return std::nullopt;
    }
}

LibvirtHoldings CommandContext::libvirtHoldings()
{
    std::string why;
    if (!values.count("connect") && !liveHost) {
        why = "under --root it is asked only with --connect URI";
    } else {
        try {
            return runningHoldings(hypervisor().domains());
        } catch (const Error &error) {
            why = error.what();
        }
    }
    libvirtNotAsked_ = why;
    return {{}, why};
}

void CommandContext::noteLibvirtNotAsked()
{
    if (libvirtNotAsked_)
        err << "vfioctl: note: libvirt was not asked which devices its running VMs hold (" << *libvirtNotAsked_
            << "), so a device it gave a VM by itself was not looked for\n";
}

void addJsonOption(CommandOptions &options)
{
    options.visible.add_options()("json", "machine-readable output (docs/JSON.md)");
}

PciAddress deviceArgument(std::string_view text)
{
    try {
        return PciAddress::parse(text);
    } catch (const Error &error) {
        throw UsageError(error.what(), "");
    }
}

PersistEntry targetArgument(std::string_view text)
{
    try {
        return parsePersistTarget(text);
    } catch (const Error &error) {
        throw UsageError(error.what(), "");
    }
}

std::vector<PciAddress> deviceArguments(const CommandContext &context, const char *command)
{
    if (!context.values.count("device"))
        throw UsageError("name at least one PCI device", command);
    std::vector<PciAddress> devices;
    for (const auto &text : context.values["device"].as<std::vector<std::string>>())
        devices.push_back(deviceArgument(text));
    return devices;
}

} // namespace vfioctl::cli
