// State we cannot trust is not trusted, every leftover can be cleared, and no answer is false (issue 40, classes 4-6):
// the state directories are ours alone whatever they were found as; set-aside journals of any kind and the
// temporary files of killed writes go away; an owner typed with spaces or braces is the same UUID; a state directory
// that cannot be read is never "nothing is held"; a failing recover prints no success line.
#include "bind_journal.h"
#include "cli.h"
#include "error.h"
#include "qemu_hook.h"
#include "testkit.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

using namespace vfioctl;
using vfioctl::testing::KernelStep;
using vfioctl::testing::uuidFor;
namespace fs = std::filesystem;

namespace {

class StateTrust : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    int hook(const char *operation, const char *sub)
    {
        const std::string xml = "<domain type='kvm'><name>win11</name><uuid>" + uuidFor("win11") + "</uuid><devices>" +
                                vfioctl::testing::pciHostdevXml("0000:01:00.0") + "</devices></domain>";
        std::ostringstream userError;
        hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
        return qemuHook.run({"win11", operation, sub, "-"}, [&] { return xml; }, userError);
    }
    fs::perms modeOf(const std::string &hostPath) const
    {
        return fs::symlink_status(fake.root() + hostPath).permissions() & fs::perms::all;
    }
    void setMode(const std::string &hostPath, fs::perms mode) { fs::permissions(fake.root() + hostPath, mode); }
    std::vector<std::string> owners() { return fake.host().list("/run/vfioctl/owners"); }

    NoHardwareNames names;
    hook::RecordingHookLog log;
    std::ostringstream out, err;
};

const fs::perms everyone = fs::perms::all;
const fs::perms groupOrOthersWrite = fs::perms::group_write | fs::perms::others_write;

} // namespace

TEST_F(StateTrust, StateDirectoriesFoundWritableByOthersAreMadeOursBeforeAnythingIsWritten)
{
    fake.makeDirectory("/run/vfioctl/owners");
    fake.makeDirectory("/etc/vfioctl/persist.d");
    for (const char *directory : {"/run/vfioctl", "/run/vfioctl/owners", "/etc/vfioctl/persist.d"})
        setMode(directory, everyone);
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    EXPECT_EQ(modeOf("/run/vfioctl") & groupOrOthersWrite, fs::perms::none);
    EXPECT_EQ(modeOf("/run/vfioctl/owners"), fs::perms::owner_all) << "journals are root's alone";
    ASSERT_EQ(run({"persist", "03:00.0", "--boot-only", "--force"}), 0) << err.str();
    EXPECT_EQ(modeOf("/etc/vfioctl/persist.d") & groupOrOthersWrite, fs::perms::none);
}

TEST_F(StateTrust, AJournalOthersMayWriteIsNotObeyed)
{
    ASSERT_EQ(hook("prepare", "begin"), 0);
    const std::string journal = "/run/vfioctl/owners/vm-" + uuidFor("win11") + ".journal";
    setMode(journal, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
    ASSERT_EQ(run({"status", "--json"}), 0) << err.str();
    const auto status = nlohmann::json::parse(out.str());
    EXPECT_TRUE(status["owners"].empty());
    ASSERT_EQ(status["corrupt_journals"].size(), 1u);
    EXPECT_NE(status["corrupt_journals"][0]["reason"].get<std::string>().find("group or others may write it"),
              std::string::npos);
    // Its devices are suspects: nothing binds them until someone has read it and discarded it.
    EXPECT_NE(run({"bind", "01:00.0"}), 0);
    EXPECT_NE(err.str().find("may hold it"), std::string::npos) << err.str();
}

TEST_F(StateTrust, AStateDirectoryThatIsAFileIsNeverNothingHeld)
{
    for (const char *path : {"/run/vfioctl/owners", "/run/vfioctl"}) {
        fake.removePath("/run/vfioctl");
        fake.writeFile(path, "not a directory\n");
        EXPECT_EQ(run({"status"}), cli::exitFailure) << path;
        EXPECT_EQ(out.str().find("no device is held"), std::string::npos) << out.str();
        EXPECT_NE(err.str().find("is a regular file, not a directory"), std::string::npos) << err.str();
        EXPECT_EQ(run({"status", "--json"}), cli::exitFailure) << path;
        EXPECT_NE(run({"bind", "02:00.0"}), 0) << "nothing is written through state that cannot be read";
        run({"check", "--json"}); // its exit says whether passthrough can work here, not this
        EXPECT_NE(out.str().find("is not a directory, so vfioctl's journals cannot be read"), std::string::npos)
            << out.str();
        EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    }
    fake.removePath("/run/vfioctl");
    fake.writeFile("/etc/vfioctl/persist.d", "");
    EXPECT_EQ(run({"persist", "--list"}), cli::exitFailure);
    EXPECT_EQ(out.str().find("Nothing is persisted"), std::string::npos) << out.str();
}

TEST_F(StateTrust, AStateDirectoryOfAnotherUserIsRefusedInOneSentence)
{
    // Only root can give a directory away; the suite runs as root (CI does), so this runs wherever the suite does.
    ASSERT_EQ(::geteuid(), 0u) << "this test gives a directory to another user, which needs root";
    fake.makeDirectory("/run/vfioctl");
    ASSERT_EQ(::chown((fake.root() + "/run/vfioctl").c_str(), 1000, 1000), 0);
    EXPECT_EQ(run({"bind", "02:00.0"}), cli::exitFailure);
    EXPECT_EQ(err.str().rfind("vfioctl: error: vfioctl's state directory ", 0), 0u) << err.str();
    EXPECT_NE(err.str().find("owned by uid 1000"), std::string::npos) << err.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
}

TEST_F(StateTrust, DiscardCorruptRemovesWhateverWasSetAsideAndReportsEachFailure)
{
    fake.makeDirectory("/run/vfioctl/owners/vm-a.journal.corrupt/inner");
    fake.writeFile("/run/vfioctl/owners/vm-a.journal.corrupt/inner/x", "x");
    fake.writeFile("/run/vfioctl/owners/vm-b.journal.corrupt", "junk");
    fake.link("/run/vfioctl/owners/manual.journal.corrupt.2", "/etc/passwd");
    fake.writeFile("/etc/passwd", "root:x:0:0\n");
    ASSERT_EQ(run({"recover", "--discard-corrupt"}), 0) << err.str();
    EXPECT_TRUE(owners().empty());
    EXPECT_EQ(fake.read("/etc/passwd"), "root:x:0:0\n") << "a link is removed, never followed";
    for (const char *name : {"vm-a.journal.corrupt", "vm-b.journal.corrupt", "manual.journal.corrupt.2"})
        EXPECT_NE(out.str().find(name), std::string::npos) << out.str();
}

TEST_F(StateTrust, TemporaryFilesOfKilledWritesGoWithTheNextChangeButALiveWritersStay)
{
    fake.makeDirectory("/run/vfioctl/owners");
    const std::string dead = "vm-" + uuidFor("gone") + ".journal.tmp.999999999.42";
    const std::string live = "manual.journal.tmp." + std::to_string(::getpid()) + ".7";
    fake.writeFile("/run/vfioctl/owners/" + dead, "half a jour");
    fake.writeFile("/run/vfioctl/owners/" + live, "being written");
    ASSERT_EQ(run({"status"}), 0) << "a reader changes nothing";
    EXPECT_EQ(owners().size(), 2u);
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    const auto left = owners();
    EXPECT_EQ(std::count(left.begin(), left.end(), dead), 0);
    EXPECT_EQ(std::count(left.begin(), left.end(), live), 1) << "its process still runs";
}

TEST_F(StateTrust, AnOwnerTypedWithSpacesBracesOrUpperCaseIsTheSameUuid)
{
    ASSERT_EQ(hook("prepare", "begin"), 0);
    std::string upper = uuidFor("win11");
    for (auto &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string &typed : {" " + uuidFor("win11"), uuidFor("win11") + "\n", "{" + upper + "}"}) {
        EXPECT_EQ(run({"restore", typed}), cli::exitFailure) << "'" << typed << "' must find the VM, not nothing";
        EXPECT_NE(err.str().find("holds 0000:01:00.0"), std::string::npos) << err.str();
    }
    // A name with white space around it is refused, never looked up and found empty.
    EXPECT_EQ(run({"restore", "--vm", " win11"}), cli::exitFailure);
    EXPECT_NE(err.str().find("neither a VM's UUID nor a name without white space"), std::string::npos) << err.str();
    ASSERT_EQ(run({"restore", "--force", " " + uuidFor("win11") + " "}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
}

TEST_F(StateTrust, ARecoverThatFailsAgainPrintsNoSuccessLine)
{
    ASSERT_EQ(run({"bind", "02:00.0"}), 0);
    // Killed while giving back: the journal says restoring, its process is gone.
    std::string text = fake.read("/run/vfioctl/owners/manual.journal");
    text.replace(text.find("\"bound\""), 7, "\"restoring\"");
    text.replace(text.find("\"process\": null"), 15, R"("process": {"pid": 999999999, "start": 1})");
    fake.writeFile("/run/vfioctl/owners/manual.journal", text);
    kernel->failAt(KernelStep::Probe, "0000:02:00.0", EIO, -1);
    EXPECT_EQ(run({"recover"}), cli::exitFailure);
    EXPECT_EQ(out.str().find("finished"), std::string::npos) << out.str();
    EXPECT_NE(err.str().find("0000:02:00.0"), std::string::npos) << err.str();
}

TEST_F(StateTrust, TheLockHolderNamedIsAProcessThatRunsNow)
{
    BindJournal journal(fake.host(), liveProcesses());
    fake.makeDirectory("/run/vfioctl");
    auto held = fake.host().tryLockExclusive("/run/vfioctl/lock");
    ASSERT_TRUE(held);
    // A note an earlier holder left (this one has not written its own yet): that process is gone.
    fake.writeFile("/run/vfioctl/lock", "999999999 5 ghost\n");
    try {
        journal.lock(std::chrono::milliseconds(20));
        FAIL() << "the lock is held";
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("is held by another process"), std::string::npos) << error.what();
        EXPECT_EQ(std::string(error.what()).find("ghost"), std::string::npos) << error.what();
    }
    held->noteHolder(std::to_string(liveProcesses().self().pid) + " " + std::to_string(liveProcesses().self().start) +
                     " unit_tests\n");
    try {
        journal.lock(std::chrono::milliseconds(20));
        FAIL() << "the lock is held";
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("(unit_tests)"), std::string::npos) << error.what();
    }
}
