#include "hook_log.h"

#include <syslog.h>

namespace vfioctl::hook {

SyslogHookLog::SyslogHookLog()
{
    openlog("vfioctl-qemu-hook", LOG_PID, LOG_DAEMON);
}

SyslogHookLog::~SyslogHookLog()
{
    closelog();
}

void SyslogHookLog::info(const std::string &message)
{
    syslog(LOG_INFO, "%s", message.c_str());
}

void SyslogHookLog::error(const std::string &message)
{
    syslog(LOG_ERR, "%s", message.c_str());
}

} // namespace vfioctl::hook
