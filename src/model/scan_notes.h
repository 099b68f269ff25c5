// One unreadable or looping entry of a listing is skipped with a note; it never fails the whole listing.
#pragma once

#include "error.h"
#include "host_root.h"

#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// Calls `body` for each entry of `directory`; an Error reading one entry (or listing the directory) becomes a note.
template <typename Body>
void forEachEntry(const HostRoot &host, std::string_view directory, std::vector<std::string> &notes, Body body)
{
    std::vector<std::string> entries;
    try {
        entries = host.list(std::string(directory));
    } catch (const Error &error) {
        notes.push_back(std::string(directory) + " skipped: " + error.what());
        return;
    }
    for (const auto &entry : entries) {
        try {
            body(entry);
        } catch (const Error &error) {
            notes.push_back(joinPath(directory, entry) + " skipped: " + error.what());
        }
    }
}

} // namespace vfioctl
