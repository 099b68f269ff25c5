#include "synthetic_host.h"

#include <cstdio>
#include <string>

namespace vfioctl::bench {

namespace {

std::string address(int domain, int bus, int devfn)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04x:%02x:%02x.%x", domain, bus, devfn >> 3, devfn & 7);
    return buffer;
}

// Hands out root ports on bus 0 of each PCI domain and a bus number behind each; a new domain when either runs out.
class Topology {
public:
    explicit Topology(testing::FakeHost &fake) : fake_(fake) { newDomain(); }

    // A root port and the bus behind it (`buses` buses reserved). Returns the root port's address.
    std::string rootPort(int buses, int &bus)
    {
        if (nextPort_ >= 256 || nextBus_ + buses > 255)
            newDomain();
        std::string port = address(domain_, 0, nextPort_++);
        fake_.addPci({.address = port,
                      .classCode = 0x060400,
                      .vendor = 0x8086,
                      .device = 0x7a30,
                      .driver = "pcieport",
                      .group = group()});
        bus = nextBus_;
        nextBus_ += buses;
        return port;
    }
    int group() { return nextGroup_++; }
    int domain() const { return domain_; }
    int added = 0;

private:
    void newDomain()
    {
        domain_ = domain_ < 0 ? 0 : domain_ + 1;
        nextPort_ = 8; // devfn 0: the host bridge
        nextBus_ = 1;
        fake_.addPci({.address = address(domain_, 0, 0),
                      .classCode = 0x060000,
                      .vendor = 0x8086,
                      .device = 0x7a02,
                      .group = group()});
        ++added;
    }

    testing::FakeHost &fake_;
    int domain_ = -1;
    int nextPort_ = 8;
    int nextBus_ = 1;
    int nextGroup_ = 0;
};

void addNic(testing::FakeHost &fake, Topology &topology)
{
    int bus = 0;
    std::string port = topology.rootPort(2, bus);
    std::string pf = address(topology.domain(), bus, 0);
    fake.addPci({.address = pf,
                 .classCode = 0x020000,
                 .vendor = 0x8086,
                 .device = 0x1572,
                 .driver = "i40e",
                 .group = topology.group(),
                 .parent = port});
    for (int vf = 0; vf < 255; ++vf)
        fake.addPci({.address = address(topology.domain(), bus + 1, vf),
                     .classCode = 0x020000,
                     .vendor = 0x8086,
                     .device = 0x154c,
                     .driver = "iavf",
                     .group = topology.group(),
                     .parent = port,
                     .physfn = pf});
    topology.added += 1 + 1 + 255;
}

void addGpu(testing::FakeHost &fake, Topology &topology)
{
    int bus = 0;
    std::string port = topology.rootPort(1, bus);
    int group = topology.group();
    fake.addPci({.address = address(topology.domain(), bus, 0),
                 .classCode = 0x030000,
                 .vendor = 0x10de,
                 .device = 0x2204,
                 .driver = "nouveau",
                 .group = group,
                 .parent = port,
                 .resetMethod = "bus"});
    fake.addPci({.address = address(topology.domain(), bus, 1),
                 .classCode = 0x040300,
                 .vendor = 0x10de,
                 .device = 0x1aef,
                 .driver = "snd_hda_intel",
                 .group = group,
                 .parent = port});
    topology.added += 3;
}

void addNvme(testing::FakeHost &fake, Topology &topology)
{
    int bus = 0;
    std::string port = topology.rootPort(1, bus);
    fake.addPci({.address = address(topology.domain(), bus, 0),
                 .classCode = 0x010802,
                 .vendor = 0x144d,
                 .device = 0xa808,
                 .driver = "nvme",
                 .group = topology.group(),
                 .parent = port,
                 .resetMethod = "flr"});
    topology.added += 2;
}

} // namespace

int buildSyntheticHost(testing::FakeHost &fake, int functions)
{
    Topology topology(fake);
    // One NIC with its VFs, then GPUs and NVMe drives in turn, until there are enough functions.
    for (int round = 0; topology.added < functions; ++round) {
        if (round % 41 == 0)
            addNic(fake, topology);
        else if (round % 2)
            addGpu(fake, topology);
        else
            addNvme(fake, topology);
    }
    return topology.added;
}

} // namespace vfioctl::bench
