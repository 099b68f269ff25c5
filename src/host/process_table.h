// Which process wrote a journal or holds the lock, and whether it still runs: a pid alone is reused, so a process
// is named by its pid and its start time (field 22 of /proc/PID/stat, in clock ticks since boot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

struct ProcessStamp {
    int pid = 0;
    uint64_t start = 0;
    bool operator==(const ProcessStamp &) const = default;
};

// The processes of this machine. Not the host seam: the writers of a state directory are processes of the machine
// that runs them, whatever root (a captured tree, a fake one) that directory lies under.
class ProcessTable {
public:
    virtual ~ProcessTable() = default;
    // This process.
    virtual ProcessStamp self() const = 0;
    // True while the process with that pid and that start time runs (a reused pid is another process).
    virtual bool running(const ProcessStamp &process) const = 0;
    // Its command name ("vfioctl"), for messages; empty when it is gone.
    virtual std::string commandName(int pid) const = 0;
};

// /proc of this machine.
class LiveProcessTable : public ProcessTable {
public:
    ProcessStamp self() const override;
    bool running(const ProcessStamp &process) const override;
    std::string commandName(int pid) const override;
};

LiveProcessTable &liveProcesses();

// The start time in /proc/PID/stat text; nothing for text that is not one. The command name (field 2) may hold
// spaces and parentheses, so fields are counted after its last ')'.
std::optional<uint64_t> parseProcessStartTime(std::string_view stat);

} // namespace vfioctl
