#include "holders.h"

#include "domain_xml.h"
#include "error.h"

#include <algorithm>

namespace vfioctl {

std::string vmStateName(VmState state)
{
    switch (state) {
    case VmState::Running: return "running";
    case VmState::Paused: return "paused";
    case VmState::ShutOff: return "shut off";
    case VmState::Other: return "other";
    }
    return "";
}

HolderMap findHolders(const std::vector<VmInfo> &domains)
{
    HolderMap holders;
    for (const auto &vm : domains) {
        auto record = [&](const std::string &xml, bool live) {
            std::vector<DomainHostdev> hostdevs;
            try {
                hostdevs = parseDomainXml(xml).hostdevs;
            } catch (const Error &) {
                return;
            }
            for (const auto &hostdev : hostdevs) {
                auto &list = holders[hostdev.address];
                auto found = std::find_if(list.begin(), list.end(), [&](const Holder &h) { return h.vm == vm.name; });
                if (found == list.end()) {
                    list.push_back({vm.name, vm.state, false, false});
                    found = list.end() - 1;
                }
                (live ? found->inLive : found->inConfig) = true;
            }
        };
        record(vm.configXml, false);
        if (vm.liveXml)
            record(*vm.liveXml, true);
    }
    return holders;
}

LibvirtHoldings runningHoldings(const std::vector<VmInfo> &domains)
{
    LibvirtHoldings holdings;
    for (const auto &vm : domains) {
        if (!vm.liveXml)
            continue;
        try {
            const DomainPassthrough live = parseDomainXml(*vm.liveXml, "the live XML of VM '" + vm.name + "'");
            const auto uuid = canonicalUuid(live.uuid);
            for (const auto &hostdev : live.hostdevs)
                holdings.running.try_emplace(hostdev.address, LibvirtHolding{vm.name, uuid.value_or("")});
        } catch (const Error &) {
            // One odd domain must not hide the others' holdings.
        }
    }
    return holdings;
}

std::string describeHolder(const Holder &holder)
{
    if (holder.inLive)
        return "held by " + vmStateName(holder.state) + " VM " + holder.vm;
    if (holder.state == VmState::ShutOff)
        return "assigned to stopped VM " + holder.vm;
    return "assigned to VM " + holder.vm + " (" + vmStateName(holder.state) + ", from its next start)";
}

void addHolderReasons(Eligibility &eligibility, const std::vector<Holder> &holders)
{
    for (const auto &holder : holders) {
        if (holder.inLive)
            eligibility.reasons.push_back({IneligibleKind::HeldByVm, describeHolder(holder)});
        else
            eligibility.notes.push_back(describeHolder(holder));
    }
}

} // namespace vfioctl
