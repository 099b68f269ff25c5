#include "libvirt_hypervisor.h"

#include "error.h"

#include <cstdlib>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace vfioctl {

namespace {

// libvirt prints every error to stderr by default; we turn them into our own sentences instead.
void quietErrors(void *, virErrorPtr) {}

std::string lastError()
{
    const char *message = virGetLastErrorMessage();
    return message ? message : "unknown libvirt error";
}

struct ConnectionDeleter {
    void operator()(virConnectPtr connection) const { virConnectClose(connection); }
};
struct DomainDeleter {
    void operator()(virDomainPtr domain) const { virDomainFree(domain); }
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
    LibvirtHypervisor(const std::string &uri, bool readOnly) : uri_(uri)
    {
        virSetErrorFunc(nullptr, quietErrors);
        connection_.reset(readOnly ? virConnectOpenReadOnly(uri.c_str()) : virConnectOpen(uri.c_str()));
        if (!connection_)
            throw Error("cannot connect to libvirt at " + uri + ": " + lastError(), ECONNREFUSED);
    }

    std::vector<VmInfo> domains() override
    {
        virDomainPtr *list = nullptr;
        int count = virConnectListAllDomains(connection_.get(), &list, 0);
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
        Domain defined(virDomainDefineXML(connection_.get(), xml.c_str()));
        if (!defined)
            throw Error("libvirt refused the new definition: " + lastError(), EINVAL);
    }

    void attachLive(const std::string &vm, const std::string &deviceXml) override
    {
        // The message is taken before the domain handle is freed: every libvirt call resets the last error.
        Domain domain = lookup(vm);
        if (virDomainAttachDeviceFlags(domain.get(), deviceXml.c_str(), VIR_DOMAIN_AFFECT_LIVE) < 0)
            throw Error(lastError(), EIO);
    }

    void detachLive(const std::string &vm, const std::string &deviceXml) override
    {
        Domain domain = lookup(vm);
        if (virDomainDetachDeviceFlags(domain.get(), deviceXml.c_str(), VIR_DOMAIN_AFFECT_LIVE) < 0)
            throw Error("cannot unplug from " + vm + ": " + lastError(), EIO);
    }

private:
    Domain lookup(const std::string &name)
    {
        Domain domain(virDomainLookupByName(connection_.get(), name.c_str()));
        if (!domain)
            throw Error("no VM named " + name + " at " + uri_, ENOENT);
        return domain;
    }

    VmInfo describe(virDomainPtr domain)
    {
        VmInfo info;
        info.name = virDomainGetName(domain);
        int state = 0, reason = 0;
        if (virDomainGetState(domain, &state, &reason, 0) == 0)
            info.state = state == VIR_DOMAIN_RUNNING   ? VmState::Running
                         : state == VIR_DOMAIN_PAUSED  ? VmState::Paused
                         : state == VIR_DOMAIN_SHUTOFF ? VmState::ShutOff
                                                       : VmState::Other;
        info.configXml = takeString(virDomainGetXMLDesc(domain, VIR_DOMAIN_XML_INACTIVE));
        if (virDomainIsActive(domain) == 1)
            info.liveXml = takeString(virDomainGetXMLDesc(domain, 0));
        return info;
    }

    std::string uri_;
    Connection connection_;
};

} // namespace

std::unique_ptr<Hypervisor> connectLibvirt(const std::string &uri, bool readOnly)
{
    return std::make_unique<LibvirtHypervisor>(uri, readOnly);
}

std::optional<std::string> loadedLibvirtVersion()
{
    unsigned long version = 0;
    if (virGetVersion(&version, nullptr, nullptr) != 0)
        return std::nullopt;
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
           std::to_string(version % 1000);
}

} // namespace vfioctl
