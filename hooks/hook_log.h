// Where the hook records every change and refusal: syslog (the journal) in production, a list in tests.
#pragma once

#include <string>
#include <vector>

namespace vfioctl::hook {

class HookLog {
public:
    virtual ~HookLog() = default;
    virtual void info(const std::string &message) = 0;
    virtual void error(const std::string &message) = 0;
};

// syslog(3), identity "vfioctl-qemu-hook", facility daemon.
class SyslogHookLog : public HookLog {
public:
    SyslogHookLog();
    ~SyslogHookLog() override;
    void info(const std::string &message) override;
    void error(const std::string &message) override;
};

class RecordingHookLog : public HookLog {
public:
    void info(const std::string &message) override { lines.push_back("info: " + message); }
    void error(const std::string &message) override { lines.push_back("error: " + message); }
    std::vector<std::string> lines;
};

} // namespace vfioctl::hook
