#include "process_table.h"

#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace vfioctl {

namespace {

std::optional<std::string> procFile(int pid, const char *name)
{
    if (pid <= 0)
        return std::nullopt;
    std::ifstream file(std::string(layout::processes) + "/" + std::to_string(pid) + "/" + name);
    if (!file)
        return std::nullopt;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

std::optional<uint64_t> parseProcessStartTime(std::string_view stat)
{
    const size_t close = stat.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = stat.substr(close + 1);
    // After ") " come field 3 (state) onwards; the start time is field 22, the 20th of them.
    for (int field = 3;; ++field) {
        while (!rest.empty() && rest.front() == ' ')
            rest.remove_prefix(1);
        if (rest.empty())
            return std::nullopt;
        const size_t end = std::min(rest.find(' '), rest.size());
        if (field == 22) {
            auto ticks = parseDecimal(rest.substr(0, end));
            return ticks && *ticks >= 0 ? std::optional<uint64_t>(static_cast<uint64_t>(*ticks)) : std::nullopt;
        }
        rest.remove_prefix(end);
    }
}

ProcessStamp LiveProcessTable::self() const
{
    const int pid = static_cast<int>(::getpid());
    auto stat = procFile(pid, "stat");
    return {pid, stat ? parseProcessStartTime(*stat).value_or(0) : 0};
}

bool LiveProcessTable::running(const ProcessStamp &process) const
{
    auto stat = procFile(process.pid, "stat");
    if (!stat)
        return false;
    auto start = parseProcessStartTime(*stat);
    return start && *start == process.start;
}

std::string LiveProcessTable::commandName(int pid) const
{
    auto comm = procFile(pid, "comm");
    if (!comm)
        return "";
    while (!comm->empty() && comm->back() == '\n')
        comm->pop_back();
    return *comm;
}

LiveProcessTable &liveProcesses()
{
    static LiveProcessTable table;
    return table;
}

} // namespace vfioctl
