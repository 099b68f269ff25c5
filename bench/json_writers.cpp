// json_writers ROOT: the choice of JSON writer for `list --json`, measured. Writes the PCI devices of the tree at
// ROOT (its inventory and eligibility already in memory) with vfioctl's streaming JsonWriter, and lets
// nlohmann::json (the library the documents were first built with) serialise the same device objects. nlohmann's
// objects are made before its clock starts, so its figure is a lower bound: the old code also built them.
// Prints "writer SECONDS nlohmann_dump SECONDS BYTES", medians of 7 runs.
#include "eligibility.h"
#include "host_root.h"
#include "inventory.h"
#include "json_views.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

using namespace vfioctl;

namespace {

template <typename Work> double medianSeconds(Work work)
{
    std::vector<double> runs;
    for (int i = 0; i < 7; ++i) {
        auto start = std::chrono::steady_clock::now();
        work();
        runs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: json_writers ROOT\n");
        return 2;
    }
    DirectoryHostRoot host(argv[1]);
    const Inventory inventory = scanInventory(host);
    std::vector<Eligibility> eligibility;
    for (const auto &device : inventory.pci)
        eligibility.push_back(assessEligibility(inventory, device));

    size_t bytes = 0;
    const double writer = medianSeconds([&] {
        std::ostringstream out;
        cli::JsonWriter json(out);
        for (size_t i = 0; i < inventory.pci.size(); ++i) {
            cli::writeJson(json, inventory.pci[i], eligibility[i]);
            json.raw("\n");
        }
        json.flush();
        bytes = out.str().size();
    });

    std::vector<cli::Json> documents;
    {
        std::ostringstream out;
        for (size_t i = 0; i < inventory.pci.size(); ++i) {
            out.str("");
            cli::JsonWriter json(out);
            cli::writeJson(json, inventory.pci[i], eligibility[i]);
            json.flush();
            documents.push_back(cli::Json::parse(out.str()));
        }
    }
    const double library = medianSeconds([&] {
        std::ostringstream out;
        for (const auto &document : documents)
            out << cli::jsonText(document, -1) << "\n";
    });
    std::printf("writer %.4f nlohmann_dump %.4f %zu\n", writer, library, bytes);
    return 0;
}
