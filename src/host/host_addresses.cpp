#include "host_addresses.h"

#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <arpa/inet.h>
#include <bit>

namespace vfioctl {

namespace {

constexpr unsigned routeUp = 0x0001;     // RTF_UP
constexpr unsigned routeReject = 0x0200; // RTF_REJECT
constexpr unsigned scopeHost = 0x10;
constexpr unsigned scopeLink = 0x20;

std::optional<std::string> ipv6FromHex(std::string_view hex)
{
    if (hex.size() != 32)
        return std::nullopt;
    in6_addr address{};
    for (size_t i = 0; i < 16; ++i) {
        auto byte = parseHex(hex.substr(i * 2, 2));
        if (!byte)
            return std::nullopt;
        address.s6_addr[i] = static_cast<uint8_t>(*byte);
    }
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, &address, text, sizeof text))
        return std::nullopt;
    return std::string(text);
}

} // namespace

std::string formatIpv4(uint32_t address)
{
    in_addr raw{htonl(address)};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &raw, text, sizeof text);
    return text;
}

std::vector<Ipv4Route> parseIpv4Routes(std::string_view text)
{
    std::vector<Ipv4Route> routes;
    auto lines = splitLines(text);
    for (size_t i = 1; i < lines.size(); ++i) { // the first line is the header
        auto fields = splitWords(lines[i]);
        if (fields.size() < 8)
            continue;
        auto destination = parseHex(fields[1]);
        auto flags = parseHex(fields[3]);
        auto mask = parseHex(fields[7]);
        if (!destination || !flags || !mask || !(*flags & routeUp))
            continue;
        // The kernel prints the network-order word as a native integer.
        routes.push_back({fields[0], ntohl(*destination), ntohl(*mask)});
    }
    return routes;
}

std::set<uint32_t> parseLocalIpv4Addresses(std::string_view fibTrie)
{
    std::set<uint32_t> addresses;
    std::optional<uint32_t> leaf;
    for (const auto &line : splitLines(fibTrie)) {
        auto words = splitWords(line);
        if (words.size() == 2 && words[0] == "|--") {
            in_addr parsed{};
            leaf.reset();
            if (inet_pton(AF_INET, words[1].c_str(), &parsed) == 1)
                leaf = ntohl(parsed.s_addr);
        } else if (leaf && words.size() >= 3 && words[0] == "/32" && words[1] == "host" && words[2] == "LOCAL") {
            if ((*leaf >> 24) != 127)
                addresses.insert(*leaf);
        }
    }
    return addresses;
}

std::multimap<std::string, std::string> parseIpv6Addresses(std::string_view text)
{
    std::multimap<std::string, std::string> addresses;
    for (const auto &line : splitLines(text)) {
        auto fields = splitWords(line);
        if (fields.size() < 6)
            continue;
        auto prefix = parseHex(fields[2]);
        auto scope = parseHex(fields[3]);
        auto address = ipv6FromHex(fields[0]);
        if (!prefix || !scope || !address || *scope == scopeHost || *scope == scopeLink)
            continue;
        addresses.emplace(fields[5], *address + "/" + std::to_string(*prefix));
    }
    return addresses;
}

std::set<std::string> parseIpv6DefaultRouteInterfaces(std::string_view text)
{
    std::set<std::string> interfaces;
    for (const auto &line : splitLines(text)) {
        auto fields = splitWords(line);
        if (fields.size() < 10)
            continue;
        auto flags = parseHex(fields[8]);
        bool isDefault = fields[0] == std::string(32, '0') && fields[1] == "00";
        if (isDefault && flags && (*flags & routeUp) && !(*flags & routeReject) && fields[9] != "lo")
            interfaces.insert(fields[9]);
    }
    return interfaces;
}

HostAddresses readHostAddresses(const HostRoot &host)
{
    HostAddresses result;
    auto routes = parseIpv4Routes(host.read(std::string(layout::ipv4Routes)).value_or(""));
    for (const auto &route : routes)
        if (route.destination == 0 && route.mask == 0)
            result.defaultRouteInterfaces.insert(route.interface);

    for (uint32_t address : parseLocalIpv4Addresses(host.read(std::string(layout::ipv4FibTrie)).value_or(""))) {
        const Ipv4Route *best = nullptr;
        for (const auto &route : routes) {
            if (route.mask == 0 || (address & route.mask) != route.destination)
                continue;
            if (!best || std::popcount(route.mask) > std::popcount(best->mask))
                best = &route;
        }
        if (best)
            result.byInterface[best->interface].push_back(formatIpv4(address) + "/" +
                                                          std::to_string(std::popcount(best->mask)));
    }
    for (const auto &[interface, address] :
         parseIpv6Addresses(host.read(std::string(layout::ipv6Addresses)).value_or("")))
        result.byInterface[interface].push_back(address);
    for (const auto &interface :
         parseIpv6DefaultRouteInterfaces(host.read(std::string(layout::ipv6Routes)).value_or("")))
        result.defaultRouteInterfaces.insert(interface);
    return result;
}

} // namespace vfioctl
