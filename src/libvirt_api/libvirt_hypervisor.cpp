#include "libvirt_hypervisor.h"

#include "error.h"
#include "shared_library.h"

#include <cstdlib>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace vfioctl {

namespace {

// libvirt's C API, opened by the first command that talks to libvirt: listing, binding or checking a host never maps
// libvirt and the fifty libraries it brings (docs/PERFORMANCE.md: memory at 50,000 functions).
struct Libvirt {
    decltype(&virConnectClose) connectClose;
    decltype(&virConnectListAllDomains) connectListAllDomains;
    decltype(&virConnectOpen) connectOpen;
    decltype(&virConnectOpenReadOnly) connectOpenReadOnly;
    decltype(&virDomainAttachDeviceFlags) domainAttachDeviceFlags;
    decltype(&virDomainDefineXML) domainDefineXML;
    decltype(&virDomainDetachDeviceFlags) domainDetachDeviceFlags;
    decltype(&virDomainFree) domainFree;
    decltype(&virDomainGetName) domainGetName;
    decltype(&virDomainGetState) domainGetState;
    decltype(&virDomainGetXMLDesc) domainGetXMLDesc;
    decltype(&virDomainIsActive) domainIsActive;
    decltype(&virDomainLookupByName) domainLookupByName;
    decltype(&virGetLastErrorMessage) getLastErrorMessage;
    decltype(&virGetVersion) getVersion;
    decltype(&virSetErrorFunc) setErrorFunc;
};

std::optional<Libvirt> openLibvirt()
{
    return SharedLibrary::load<Libvirt>(
        "libvirt.so.0", symbol(&Libvirt::connectClose, "virConnectClose"),
        symbol(&Libvirt::connectListAllDomains, "virConnectListAllDomains"),
        symbol(&Libvirt::connectOpen, "virConnectOpen"),
        symbol(&Libvirt::connectOpenReadOnly, "virConnectOpenReadOnly"),
        symbol(&Libvirt::domainAttachDeviceFlags, "virDomainAttachDeviceFlags"),
        symbol(&Libvirt::domainDefineXML, "virDomainDefineXML"),
        symbol(&Libvirt::domainDetachDeviceFlags, "virDomainDetachDeviceFlags"),
        symbol(&Libvirt::domainFree, "virDomainFree"), symbol(&Libvirt::domainGetName, "virDomainGetName"),
        symbol(&Libvirt::domainGetState, "virDomainGetState"),
        symbol(&Libvirt::domainGetXMLDesc, "virDomainGetXMLDesc"),
        symbol(&Libvirt::domainIsActive, "virDomainIsActive"),
        symbol(&Libvirt::domainLookupByName, "virDomainLookupByName"),
        symbol(&Libvirt::getLastErrorMessage, "virGetLastErrorMessage"), symbol(&Libvirt::getVersion, "virGetVersion"),
        symbol(&Libvirt::setErrorFunc, "virSetErrorFunc"));
}

// nullptr when libvirt is not installed (or too old to have every function above).
const Libvirt *libvirtOrNull()
{
    static const std::optional<Libvirt> loaded = openLibvirt();
    return loaded ? &*loaded : nullptr;
}

const Libvirt &libvirt()
{
    if (const Libvirt *loaded = libvirtOrNull())
        return *loaded;
    throw Error("cannot talk to libvirt: libvirt.so.0 is not installed (install the libvirt0 package)", ENOENT);
}

// libvirt prints every error to stderr by default; we turn them into our own sentences instead.
void quietErrors(void *, virErrorPtr) {}

std::string lastError()
{
    const char *message = libvirt().getLastErrorMessage();
    return message ? message : "unknown libvirt error";
}

struct ConnectionDeleter {
    void operator()(virConnectPtr connection) const { libvirt().connectClose(connection); }
};
struct DomainDeleter {
    void operator()(virDomainPtr domain) const { libvirt().domainFree(domain); }
};
using Connection = std::unique_ptr<virConnect, ConnectionDeleter>;
using Domain = std::unique_ptr<virDomain, DomainDeleter>;

std::string takeString(char *text)
{
    std::string result = text ? text : "";
    std::free(text);
    return result;
}

class LibvirtHypervisor : public Hypervisor {
public:
    LibvirtHypervisor(const std::string &uri, LibvirtAccess access) : uri_(uri)
    {
        const Libvirt &v = libvirt();
        v.setErrorFunc(nullptr, quietErrors);
        connection_.reset(access == LibvirtAccess::ReadOnly ? v.connectOpenReadOnly(uri.c_str())
                                                            : v.connectOpen(uri.c_str()));
        if (!connection_)
            throw Error("cannot connect to libvirt at " + uri + ": " + lastError(), ECONNREFUSED);
    }

    std::vector<VmInfo> domains() override
    {
        virDomainPtr *list = nullptr;
        int count = libvirt().connectListAllDomains(connection_.get(), &list, 0);
        if (count < 0)
            throw Error("cannot list the VMs at " + uri_ + ": " + lastError(), EIO);
        std::vector<Domain> owned;
        for (int i = 0; i < count; ++i)
            owned.emplace_back(list[i]);
        std::free(list);
        std::vector<VmInfo> result;
        for (const auto &domain : owned)
            result.push_back(describe(domain.get()));
        return result;
    }

    VmInfo domain(const std::string &name) override { return describe(lookup(name).get()); }

    void define(const std::string &xml) override
    {
        Domain defined(libvirt().domainDefineXML(connection_.get(), xml.c_str()));
        if (!defined)
            throw Error("libvirt refused the new definition: " + lastError(), EINVAL);
    }

    void attachLive(const std::string &vm, const std::string &deviceXml) override
    {
        // The message is taken before the domain handle is freed: every libvirt call resets the last error.
        Domain domain = lookup(vm);
        if (libvirt().domainAttachDeviceFlags(domain.get(), deviceXml.c_str(), VIR_DOMAIN_AFFECT_LIVE) < 0)
            throw Error(lastError(), EIO);
    }

    void detachLive(const std::string &vm, const std::string &deviceXml) override
    {
        Domain domain = lookup(vm);
        if (libvirt().domainDetachDeviceFlags(domain.get(), deviceXml.c_str(), VIR_DOMAIN_AFFECT_LIVE) < 0)
            throw Error("cannot unplug from " + vm + ": " + lastError(), EIO);
    }

private:
    Domain lookup(const std::string &name)
    {
        Domain domain(libvirt().domainLookupByName(connection_.get(), name.c_str()));
        if (!domain)
            throw Error("no VM named " + name + " at " + uri_, ENOENT);
        return domain;
    }

    VmInfo describe(virDomainPtr domain)
    {
        const Libvirt &v = libvirt();
        VmInfo info;
        info.name = v.domainGetName(domain);
        int state = 0, reason = 0;
        if (v.domainGetState(domain, &state, &reason, 0) == 0)
            info.state = state == VIR_DOMAIN_RUNNING   ? VmState::Running
                         : state == VIR_DOMAIN_PAUSED  ? VmState::Paused
                         : state == VIR_DOMAIN_SHUTOFF ? VmState::ShutOff
                                                       : VmState::Other;
        info.configXml = takeString(v.domainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE));
        if (v.domainIsActive(domain) == 1)
            info.liveXml = takeString(v.domainGetXMLDesc(domain, 0));
        return info;
    }

    std::string uri_;
    Connection connection_;
};

} // namespace

std::unique_ptr<Hypervisor> connectLibvirt(const std::string &uri, LibvirtAccess access)
{
    return std::make_unique<LibvirtHypervisor>(uri, access);
}

std::optional<std::string> loadedLibvirtVersion()
{
    const Libvirt *loaded = libvirtOrNull();
    unsigned long version = 0;
    if (!loaded || loaded->getVersion(&version, nullptr, nullptr) != 0)
        return std::nullopt;
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
           std::to_string(version % 1000);
}

} // namespace vfioctl
