#include "command.h"

namespace vfioctl::cli {

std::span<const Command> commandTable()
{
    using enum Needs;
    static const Command commands[] = {
        {"list", "list host devices (PCI, USB, SCSI, network, block) and whether each PCI device can be passed through",
         "[--type TYPE] [--eligible] [--tree] [--json [--fields NAME,...]]", VmListing, declareList, runList},
        {"groups", "list IOMMU groups and their devices", "[--json]", Host, declareGroups, runGroups},
        {"affected", "show every device that goes with a PCI device when it is passed through", "DEVICE [--json]", Host,
         declareAffected, runAffected},
        {"bind", "bind devices and their whole IOMMU groups to vfio-pci, all or nothing",
         "DEVICE... [--owner manual|UUID] [--force] [--console-handoff]", Moves, declareBind, runBind},
        {"unbind", "give devices back to the driver they had before", "DEVICE... [--force]", Moves, declareUnbind,
         runUnbind},
        {"restore", "give back everything an owner (a VM, or manual) holds", "OWNER | --vm VM | --all [--force]", Moves,
         declareRestore, runRestore},
        {"recover", "finish every step whose process is gone (after a crash)", "[--discard-corrupt]", Moves,
         declareRecover, runRecover},
        {"status", "show which devices are held, by whom and since when", "[--json]", Host, declareStatus, runStatus},
        {"holders", "show which VMs (running or not) hold a PCI device", "DEVICE [--json]", Libvirt, declareHolders,
         runHolders},
        {"vms", "list libvirt's VMs with their state and the PCI devices each holds", "[--json]", Libvirt, declareVms,
         runVms},
        {"assign", "add a PCI device and its IOMMU group companions to a VM (--config, --live)",
         "VM DEVICE [--config] [--live] [--console-handoff]", Libvirt | Moves, declareAssign, runAssign},
        {"unassign", "remove a PCI device and its IOMMU group companions from a VM (--config, --live)",
         "VM DEVICE [--config] [--live]", Libvirt | Moves, declareUnassign, runUnassign},
        {"persist", "claim devices (by address, VENDOR:DEVICE or a PF's VFs) for vfio-pci from early boot",
         "DEVICE|VENDOR:DEVICE... | --vfs-of PF [--boot-only] [--force] | --list [--json]", Moves, declarePersist,
         runPersist},
        {"unpersist", "stop claiming devices for vfio-pci at boot, or setting a PF's VF count",
         "DEVICE|VENDOR:DEVICE... | --vfs-of PF | --sriov PF [--boot-only]", Moves, declareUnpersist, runUnpersist},
        {"sriov", "show an SR-IOV physical function's VFs and who holds them; set how many exist and keep it",
         "PF [N] [--persist] [--force] [--json]", Moves, declareSriov, runSriov},
        {"export", "this host's passthrough devices as OpenStack Nova or KubeVirt configuration",
         "nova|kubevirt [DEVICE|VENDOR:DEVICE...] [--class gpu|nic|vf|nvme] [--eligible] [--physnet NAME] "
         "[--alias-prefix PREFIX] [--persist [--dry-run]] [--json]",
         Moves, declareExport, runExport},
        {"check", "check that this host can do PCI passthrough, with the fix for each problem", "[--json]", Host,
         declareCheck, runCheck},
    };
    return commands;
}

const Command *findCommand(std::string_view name)
{
    for (const auto &command : commandTable())
        if (command.name == name)
            return &command;
    return nullptr;
}

} // namespace vfioctl::cli
