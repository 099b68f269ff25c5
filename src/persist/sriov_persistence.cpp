#include "sriov_persistence.h"

#include "error.h"
#include "pci_scanner.h"
#include "persistence.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <sstream>

namespace vfioctl {

namespace {

constexpr std::string_view countPrefix = "sriov-";
constexpr std::string_view claimPrefix = "vfs-of-";
constexpr std::string_view vfPrefix = "vf-";
// The one variable the rule imports; udev's IMPORT{file} reads KEY=VALUE lines and skips comments.
constexpr std::string_view countKey = "VFIOCTL_SRIOV_NUMVFS=";

std::string markerPath(std::string_view prefix, const PciAddress &address)
{
    return joinPath(persistMarkerDirectory, std::string(prefix) + address.str());
}

// The PF of a marker name, in the kernel's own form only (the rule builds names from $kernel).
std::optional<PciAddress> pfOfName(std::string_view name, std::string_view prefix)
{
    if (!name.starts_with(prefix))
        return std::nullopt;
    return PciAddress::fromKernelName(name.substr(prefix.size()));
}

int requireAttribute(const HostRoot &host, const PciAddress &pf, const char *name, int most)
{
    const std::string path = joinPath(pciDevicePath(pf), name);
    auto text = host.read(path);
    if (!text)
        throw Error(pf.str() + " does not say where its VFs appear (no " + name +
                        "): is it an SR-IOV physical function?",
                    ENOENT);
    auto value = parseDecimalInRange(*text, 0, most);
    if (!value)
        throw Error(host.shown(path) + " holds no number from 0 to " + std::to_string(most), EINVAL);
    return static_cast<int>(*value);
}

} // namespace

std::vector<PciAddress> possibleVirtualFunctions(const HostRoot &host, const PciAddress &pf)
{
    const int total = requireAttribute(host, pf, "sriov_totalvfs", 65535);
    const int offset = requireAttribute(host, pf, "sriov_offset", 65535);
    const int stride = requireAttribute(host, pf, "sriov_stride", 65535);
    const int routing = pf.bus << 8 | pf.slot << 3 | pf.function;
    std::vector<PciAddress> vfs;
    for (int index = 0; index < total; ++index) {
        const int id = routing + offset + index * stride;
        if (id > 0xffff)
            throw Error(pf.str() + "'s VF " + std::to_string(index) + " would lie beyond bus ff", ERANGE);
        vfs.push_back({pf.domain, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>((id >> 3) & 0x1f),
                       static_cast<uint8_t>(id & 7)});
    }
    return vfs;
}

std::vector<KeptVfCount> SriovPersistStore::keptCounts() const
{
    std::vector<KeptVfCount> kept;
    for (const auto &name : host_.list(persistMarkerDirectory))
        if (auto pf = pfOfName(name, countPrefix))
            if (auto count = keptCount(*pf))
                kept.push_back(*count);
    return kept;
}

std::optional<KeptVfCount> SriovPersistStore::keptCount(const PciAddress &pf) const
{
    auto text = host_.read(markerPath(countPrefix, pf), 4096);
    if (!text)
        return std::nullopt;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with(countKey))
            if (auto count = parseDecimalInRange(line.substr(countKey.size()), 0, 65535))
                return KeptVfCount{pf, static_cast<int>(*count)};
    throw Error(host_.shown(markerPath(countPrefix, pf)) + " holds no VF count; 'vfioctl unpersist --sriov " +
                    pf.str() + "' removes it",
                EINVAL);
}

void SriovPersistStore::keepCount(const KeptVfCount &kept)
{
    host_.makeDirectories(persistMarkerDirectory, 0755);
    host_.replaceAtomically(markerPath(countPrefix, kept.pf),
                            "# vfioctl sriov --persist: the VF count udev-rules/40-vfioctl-persist.rules writes when " +
                                kept.pf.str() + "'s driver binds\n" + std::string(countKey) +
                                std::to_string(kept.count) + "\n",
                            0644);
}

bool SriovPersistStore::forgetCount(const PciAddress &pf)
{
    if (!host_.exists(markerPath(countPrefix, pf)))
        return false;
    host_.remove(markerPath(countPrefix, pf));
    return true;
}

std::vector<ClaimedVfs> SriovPersistStore::claims() const
{
    std::vector<ClaimedVfs> claims;
    for (const auto &name : host_.list(persistMarkerDirectory))
        if (auto pf = pfOfName(name, claimPrefix))
            if (auto claim = claimOf(*pf))
                claims.push_back(std::move(*claim));
    return claims;
}

std::optional<ClaimedVfs> SriovPersistStore::claimOf(const PciAddress &pf) const
{
    auto text = host_.read(markerPath(claimPrefix, pf), 1 << 20);
    if (!text)
        return std::nullopt;
    ClaimedVfs claim{pf, {}};
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line[0] != '#') {
            auto vf = PciAddress::tryParse(line);
            if (!vf)
                throw Error(host_.shown(markerPath(claimPrefix, pf)) + " lists '" + line.substr(0, 64) +
                                "', which is no PCI address; 'vfioctl unpersist --vfs-of " + pf.str() + "' removes it",
                            EINVAL);
            claim.vfs.push_back(*vf);
        }
    return claim;
}

bool SriovPersistStore::claim(const ClaimedVfs &claim)
{
    if (host_.exists(markerPath(claimPrefix, claim.pf)))
        return false;
    host_.makeDirectories(persistMarkerDirectory, 0755);
    std::string list = "# vfioctl persist --vfs-of " + claim.pf.str() + ": its VFs, each with a vf- marker\n";
    for (const auto &vf : claim.vfs) {
        host_.replaceAtomically(markerPath(vfPrefix, vf),
                                "# vfioctl persist --vfs-of " + claim.pf.str() + ": claimed for vfio-pci at add\n",
                                0644);
        list += vf.str() + "\n";
    }
    // Written last: a claim that is listed has every marker in place.
    host_.replaceAtomically(markerPath(claimPrefix, claim.pf), list, 0644);
    return true;
}

std::optional<ClaimedVfs> SriovPersistStore::unclaim(const PciAddress &pf)
{
    auto claim = claimOf(pf);
    if (!claim)
        return std::nullopt;
    // The VF markers go first and the list last: a removal cut short stays listed, and running it again finishes it.
    for (const auto &vf : claim->vfs)
        if (host_.exists(markerPath(vfPrefix, vf)))
            host_.remove(markerPath(vfPrefix, vf));
    host_.remove(markerPath(claimPrefix, pf));
    return claim;
}

} // namespace vfioctl
