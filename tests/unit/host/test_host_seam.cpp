// The host seam reports what it cannot read, never blocks on what a tree plants, and never leaves its root.
#include "error.h"
#include "fake_host.h"
#include "run_process.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

namespace {

std::string errorOf(const std::function<void()> &body)
{
    try {
        body();
    } catch (const Error &error) {
        return error.what();
    }
    return "(no error)";
}

// A directory beside the fake tree, standing for "this host": nothing under --root may reach it.
struct Outside {
    Outside()
    {
        char pattern[] = "/tmp/vfioctl-outside-XXXXXX";
        path = ::mkdtemp(pattern);
        std::ofstream(path + "/driver_override") << "(null)\n";
        std::ofstream(path + "/secret") << "this host's\n";
    }
    ~Outside() { std::filesystem::remove_all(path); }
    std::string content(const char *name) const
    {
        std::ifstream in(path + "/" + name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::string path;
};

} // namespace

TEST(HostSeam, OnlyAMissingPathIsAbsent)
{
    FakeHost fake;
    fake.writeFile("/sys/file", "x");
    EXPECT_EQ(fake.host().read("/sys/missing"), std::nullopt);
    EXPECT_EQ(fake.host().read("/sys/file/below"), std::nullopt); // ENOTDIR
    EXPECT_TRUE(fake.host().list("/sys/missing").empty());
    EXPECT_EQ(fake.host().readLink("/sys/file"), std::nullopt); // not a link

    std::filesystem::create_symlink("loop", fake.root() + "/sys/loop");
    EXPECT_EQ(errorOf([&] { fake.host().read("/sys/loop"); }),
              "cannot read " + fake.root() + "/sys/loop: Too many levels of symbolic links");
    EXPECT_EQ(errorOf([&] { fake.host().list("/sys/loop"); }),
              "cannot list " + fake.root() + "/sys/loop: Too many levels of symbolic links");
    EXPECT_EQ(errorOf([&] { fake.host().read("/sys"); }),
              fake.root() + "/sys is not a regular file; refusing to read it");
}

TEST(HostSeam, AFifoOrAnEndlessFileNeverBlocksOrExhaustsMemory)
{
    FakeHost fake;
    ASSERT_EQ(::mkfifo((fake.root() + "/run/fifo").c_str(), 0600), 0);
    fake.writeFile("/run/big", std::string(5000, 'x'));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(errorOf([&] { fake.host().read("/run/fifo"); }),
              fake.root() + "/run/fifo is not a regular file; refusing to read it");
    EXPECT_EQ(errorOf([&] { fake.host().read("/run/big", 4096); }),
              fake.root() + "/run/big is larger than 4096 bytes; refusing to read it");
    // An attribute that is a FIFO: opened without blocking, read as empty (no writer), bounded to a page.
    ASSERT_EQ(::mkfifo((fake.root() + "/sys/attr").c_str(), 0600), 0);
    auto directory = fake.host().openDirectory("/sys");
    ASSERT_TRUE(directory);
    EXPECT_EQ(directory->readAttribute("attr"), "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "must not have blocked";
}

TEST(HostSeam, UnderARootEveryPathStaysInside)
{
    FakeHost fake;
    Outside outside;
    fake.makeDirectory("/sys/bus/pci/devices");
    // Absolute, and relative with more ".." than the tree is deep: both must resolve inside the root.
    std::filesystem::create_symlink(outside.path, fake.root() + "/sys/bus/pci/devices/0000:02:00.0");
    std::filesystem::create_symlink("../../../../../../../../../../.." + outside.path,
                                    fake.root() + "/sys/bus/pci/devices/0000:03:00.0");
    for (const char *device : {"0000:02:00.0", "0000:03:00.0"}) {
        const std::string path = std::string("/sys/bus/pci/devices/") + device;
        EXPECT_EQ(fake.host().read(path + "/secret"), std::nullopt) << device;
        EXPECT_FALSE(fake.host().exists(path + "/driver_override")) << device;
        EXPECT_THROW(fake.host().write(path + "/driver_override", "vfio-pci"), Error) << device;
        auto directory = fake.host().openDirectory(path);
        EXPECT_EQ(directory, nullptr) << device;
    }
    EXPECT_EQ(outside.content("driver_override"), "(null)\n");

    // Our own state under a /run that is a link out of the tree lands inside the tree, never outside.
    std::filesystem::remove_all(fake.root() + "/run");
    std::filesystem::create_symlink(outside.path, fake.root() + "/run");
    EXPECT_THROW(fake.host().makeDirectories("/run/vfioctl", 0700), Error); // its target is not in the tree
    fake.makeDirectory(outside.path);                                       // now it is
    fake.host().makeDirectories("/run/vfioctl", 0700);
    fake.host().replaceAtomically("/run/vfioctl/state", "x", 0600);
    {
        auto lock = fake.host().tryLockExclusive("/run/vfioctl/lock");
        EXPECT_TRUE(lock.has_value());
    }
    EXPECT_FALSE(std::filesystem::exists(outside.path + "/vfioctl"));
    EXPECT_TRUE(std::filesystem::exists(fake.root() + outside.path + "/vfioctl/state"));
}

TEST(HostSeam, AnAttributeLinkCannotLeadOutOfItsDirectory)
{
    FakeHost fake;
    Outside outside;
    fake.makeDirectory("/sys/devices/d");
    std::filesystem::create_symlink(outside.path + "/secret", fake.root() + "/sys/devices/d/vendor");
    auto directory = fake.host().openDirectory("/sys/devices/d");
    ASSERT_TRUE(directory);
    EXPECT_THROW(directory->readAttribute("vendor"), Error);
}

TEST(HostSeam, AnUnreadableStateDirectoryIsAnErrorNotNothingHeld)
{
    FakeHost fake;
    fake.host().makeDirectories("/run/vfioctl/owners", 0700);
    fake.writeFile("/run/vfioctl/owners/vm-a.journal", "{}");
    ::chmod(fake.root().c_str(), 0755);
    for (const char *dir : {"/run", "/run/vfioctl"})
        ::chmod((fake.root() + dir).c_str(), 0755);
    // As an unprivileged user (root reads everything), through the real binary.
    auto result = vfioctl::testing::runProcess({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                VFIOCTL_BINARY, "--root", fake.root(), "status"});
    EXPECT_EQ(result.exitCode, 1) << result.out << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err, "vfioctl: error: cannot list " + fake.root() + "/run/vfioctl/owners: Permission denied\n");
}
