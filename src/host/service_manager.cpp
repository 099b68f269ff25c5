#include "service_manager.h"

#include "error.h"
#include "shared_library.h"

#include <cctype>
#include <map>
#include <systemd/sd-bus.h>

namespace vfioctl {

bool isUnitName(std::string_view name)
{
    static constexpr std::string_view suffixes[] = {".service", ".socket", ".target", ".device", ".mount", ".automount",
                                                    ".swap",    ".timer",  ".path",   ".slice",  ".scope"};
    if (name.empty() || name.size() > 255)
        return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && std::string_view(":-_.\\@").find(static_cast<char>(c)) == std::string_view::npos)
            return false;
    for (std::string_view suffix : suffixes)
        if (name.size() > suffix.size() && name.ends_with(suffix))
            return true;
    return false;
}

namespace {

constexpr const char *systemd = "org.freedesktop.systemd1";
constexpr const char *managerPath = "/org/freedesktop/systemd1";
constexpr const char *managerInterface = "org.freedesktop.systemd1.Manager";

// libsystemd is opened only when a policy names units: a VM start without a hand-off never maps it.
struct SdBus {
    decltype(&sd_bus_open_system) openSystem;
    decltype(&sd_bus_flush_close_unref) close;
    decltype(&sd_bus_call_method) call;
    decltype(&sd_bus_message_read) read;
    decltype(&sd_bus_message_unref) unrefMessage;
    decltype(&sd_bus_error_free) freeError;
    decltype(&sd_bus_error_has_name) errorHasName;
    decltype(&sd_bus_get_property_string) propertyString;
    decltype(&sd_bus_match_signal) matchSignal;
    decltype(&sd_bus_slot_unref) unrefSlot;
    decltype(&sd_bus_process) process;
    decltype(&sd_bus_wait) wait;
};

const SdBus &sdBus()
{
    static const SdBus functions = [] {
        auto loaded = SharedLibrary::load<SdBus>(
            "libsystemd.so.0", symbol(&SdBus::openSystem, "sd_bus_open_system"),
            symbol(&SdBus::close, "sd_bus_flush_close_unref"), symbol(&SdBus::call, "sd_bus_call_method"),
            symbol(&SdBus::read, "sd_bus_message_read"), symbol(&SdBus::unrefMessage, "sd_bus_message_unref"),
            symbol(&SdBus::freeError, "sd_bus_error_free"), symbol(&SdBus::errorHasName, "sd_bus_error_has_name"),
            symbol(&SdBus::propertyString, "sd_bus_get_property_string"),
            symbol(&SdBus::matchSignal, "sd_bus_match_signal"), symbol(&SdBus::unrefSlot, "sd_bus_slot_unref"),
            symbol(&SdBus::process, "sd_bus_process"), symbol(&SdBus::wait, "sd_bus_wait"));
        if (!loaded)
            throw Error("cannot talk to systemd: libsystemd.so.0 is missing or lacks a function vfioctl uses (install "
                        "the libsystemd0 package)",
                        ENOENT);
        return *loaded;
    }();
    return functions;
}

// An sd_bus_error freed when it goes out of scope.
struct BusError {
    sd_bus_error error{}; // SD_BUS_ERROR_NULL, which is a C compound literal (-Wc99-extensions in C++)
    ~BusError() { sdBus().freeError(&error); }
    std::string text(int code) const
    {
        return error.message ? std::string(error.message) : errnoText(code < 0 ? -code : code);
    }
};

struct MessageDeleter {
    void operator()(sd_bus_message *message) const { sdBus().unrefMessage(message); }
};
using Message = std::unique_ptr<sd_bus_message, MessageDeleter>;

class SystemdManager : public ServiceManager {
public:
    ~SystemdManager() override
    {
        if (bus_)
            sdBus().close(bus_);
    }

    bool running(const std::string &unit) override
    {
        BusError error;
        sd_bus_message *reply = nullptr;
        int result = sdBus().call(connect(), systemd, managerPath, managerInterface, "GetUnit", &error.error, &reply,
                                  "s", unit.c_str());
        if (result < 0) {
            if (sdBus().errorHasName(&error.error, "org.freedesktop.systemd1.NoSuchUnit"))
                return false; // not loaded: not running
            throw Error("cannot ask systemd about " + unit + ": " + error.text(result), -result);
        }
        Message owned(reply);
        const char *path = nullptr;
        if (int read = sdBus().read(reply, "o", &path); read < 0)
            throw Error("cannot ask systemd about " + unit + ": " + errnoText(-read), -read);
        BusError propertyError;
        char *state = nullptr;
        result = sdBus().propertyString(connect(), systemd, path, "org.freedesktop.systemd1.Unit", "ActiveState",
                                        &propertyError.error, &state);
        if (result < 0)
            throw Error("cannot read the state of " + unit + " from systemd: " + propertyError.text(result), -result);
        const std::string active = state;
        free(state);
        return active == "active" || active == "activating" || active == "reloading";
    }

    void stop(const std::string &unit, std::chrono::milliseconds limit) override { runJob("StopUnit", unit, limit); }
    void start(const std::string &unit, std::chrono::milliseconds limit) override { runJob("StartUnit", unit, limit); }

private:
    sd_bus *connect()
    {
        if (bus_)
            return bus_;
        if (int result = sdBus().openSystem(&bus_); result < 0) {
            bus_ = nullptr;
            throw Error("cannot reach systemd on the system bus: " + errnoText(-result), -result);
        }
        // Job results come as JobRemoved signals: listen before the first job is queued, so none is missed.
        if (int result = sdBus().matchSignal(bus_, nullptr, systemd, managerPath, managerInterface, "JobRemoved",
                                             &SystemdManager::onJobRemoved, &finished_);
            result < 0)
            throw Error("cannot follow systemd's jobs: " + errnoText(-result), -result);
        BusError ignored; // already subscribed, or an older systemd that sends them anyway
        sdBus().call(bus_, systemd, managerPath, managerInterface, "Subscribe", &ignored.error, nullptr, "");
        return bus_;
    }

    static int onJobRemoved(sd_bus_message *message, void *userdata, sd_bus_error *)
    {
        uint32_t id = 0;
        const char *path = nullptr, *unit = nullptr, *result = nullptr;
        if (sdBus().read(message, "uoss", &id, &path, &unit, &result) >= 0 && path && result)
            (*static_cast<std::map<std::string, std::string> *>(userdata))[path] = result;
        return 0;
    }

    void runJob(const char *method, const std::string &unit, std::chrono::milliseconds limit)
    {
        const std::string verb = std::string(method) == "StopUnit" ? "stop" : "start";
        BusError error;
        sd_bus_message *reply = nullptr;
        int result = sdBus().call(connect(), systemd, managerPath, managerInterface, method, &error.error, &reply, "ss",
                                  unit.c_str(), "replace");
        if (result < 0)
            throw Error("systemd would not " + verb + " " + unit + ": " + error.text(result), -result);
        Message owned(reply);
        const char *job = nullptr;
        if (int read = sdBus().read(reply, "o", &job); read < 0)
            throw Error("cannot follow systemd's job to " + verb + " " + unit + ": " + errnoText(-read), -read);
        const std::string path = job;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!finished_.count(path)) {
            int processed = sdBus().process(bus_, nullptr);
            if (processed < 0)
                throw Error("lost systemd while waiting to " + verb + " " + unit + ": " + errnoText(-processed),
                            -processed);
            if (processed > 0)
                continue;
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline)
                throw Error("systemd did not " + verb + " " + unit + " within " + std::to_string(limit.count()) + " ms",
                            ETIMEDOUT);
            sdBus().wait(bus_, std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count());
        }
        const std::string outcome = finished_[path];
        finished_.erase(path);
        if (outcome != "done")
            throw Error("systemd could not " + verb + " " + unit + " (its job ended: " + outcome + ")", EIO);
    }

    sd_bus *bus_ = nullptr;
    std::map<std::string, std::string> finished_; // job path -> result, as JobRemoved said
};

class RefusingServiceManager : public ServiceManager {
public:
    bool running(const std::string &unit) override { refuse(unit); }
    void stop(const std::string &unit, std::chrono::milliseconds) override { refuse(unit); }
    void start(const std::string &unit, std::chrono::milliseconds) override { refuse(unit); }

private:
    [[noreturn]] static void refuse(const std::string &unit)
    {
        throw Error("cannot stop or start " + unit +
                        ": a --root tree has no service manager; units are only "
                        "stopped on the live host",
                    ENOTSUP);
    }
};

} // namespace

std::unique_ptr<ServiceManager> makeSystemdManager()
{
    return std::make_unique<SystemdManager>();
}

std::unique_ptr<ServiceManager> makeRefusingServiceManager()
{
    return std::make_unique<RefusingServiceManager>();
}

} // namespace vfioctl
