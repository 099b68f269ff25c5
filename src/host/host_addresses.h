// The host's IP addresses and default routes, from procfs (so a captured tree answers like the live host).
#pragma once

#include "host_root.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct Ipv4Route {
    std::string interface;
    uint32_t destination = 0; // host byte order
    uint32_t mask = 0;
};

// /proc/net/route, up routes only.
std::vector<Ipv4Route> parseIpv4Routes(std::string_view text);
// The host's own IPv4 addresses: the "/32 host LOCAL" leaves of /proc/net/fib_trie, host byte order.
std::set<uint32_t> parseLocalIpv4Addresses(std::string_view fibTrie);
// /proc/net/if_inet6 as interface -> "addr/prefix", leaving out link-local and loopback addresses.
std::multimap<std::string, std::string> parseIpv6Addresses(std::string_view text);
// Interfaces carrying an IPv6 default route in /proc/net/ipv6_route.
std::set<std::string> parseIpv6DefaultRouteInterfaces(std::string_view text);

struct HostAddresses {
    std::map<std::string, std::vector<std::string>> byInterface; // "eth0" -> {"192.0.2.4/24", ...}
    std::set<std::string> defaultRouteInterfaces;
};

// IPv4 addresses are matched to interfaces through the longest route prefix that holds them, as procfs has no
// per-interface IPv4 list; an address with no covering route is not attributed.
HostAddresses readHostAddresses(const HostRoot &host);

std::string formatIpv4(uint32_t address);

} // namespace vfioctl
