// Under --root nothing leaves the tree: every command that reads a captured host, run as the real binary on a tree
// whose every link (or every sysfs file) leads out of it, opens and reads nothing outside. Proven with inotify on
// the directory the links aim at, so a read the output would not show is caught as well.
#include "fake_host.h"
#include "run_process.h"
#include "workstation.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;
namespace fs = std::filesystem;

namespace {

// A directory beside the tree, standing for this host, with a file in it and in a directory below it; counts every
// open and read of it, its entries and its subdirectory.
class WatchedOutside {
public:
    WatchedOutside()
    {
        char pattern[] = "/tmp/vfioctl-outside-XXXXXX";
        path_ = ::mkdtemp(pattern);
        fs::create_directory(path_ + "/sub");
        for (const char *file : {"/secret", "/sub/secret"})
            std::ofstream(path_ + file) << "SECRET-OF-THIS-HOST\n";
        notify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        for (const std::string &watched : {path_, path_ + "/sub"})
            ::inotify_add_watch(notify_, watched.c_str(), IN_OPEN | IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CREATE);
    }
    ~WatchedOutside()
    {
        ::close(notify_);
        fs::remove_all(path_);
    }
    const std::string &path() const { return path_; }
    // Events since the last call.
    int events() const
    {
        int count = 0;
        alignas(inotify_event) char buffer[65536];
        for (ssize_t got; (got = ::read(notify_, buffer, sizeof buffer)) > 0;)
            for (ssize_t at = 0; at < got; ++count)
                at += static_cast<ssize_t>(sizeof(inotify_event) + reinterpret_cast<inotify_event *>(buffer + at)->len);
        return count;
    }

private:
    std::string path_;
    int notify_ = -1;
};

// Every symlink of the tree turned to the outside, alternately absolute and relative with ".." enough to climb out
// of any tree; directories the links aim at get the outside's subdirectory.
void pointEveryLinkOutside(const std::string &root, const std::string &outside)
{
    std::vector<fs::path> links;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_symlink())
            links.push_back(it->path());
    ASSERT_GT(links.size(), 50u);
    std::string climb;
    for (int i = 0; i < 30; ++i)
        climb += "../";
    bool absolute = true;
    for (const auto &link : links) {
        const bool wasDirectory = fs::is_directory(link);
        const std::string target = outside + (wasDirectory ? "/sub" : "/secret");
        fs::remove(link);
        fs::create_symlink(absolute ? target : climb + target.substr(1), link);
        absolute = !absolute;
    }
}

// Every regular file under /sys turned to a link at the outside's secret.
void pointEverySysfsFileOutside(const std::string &root, const std::string &outside)
{
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(root + "/sys"); it != fs::recursive_directory_iterator(); ++it)
        if (it->is_regular_file() && !it->is_symlink())
            files.push_back(it->path());
    ASSERT_GT(files.size(), 100u);
    for (const auto &file : files) {
        fs::remove(file);
        fs::create_symlink(outside + "/secret", file);
    }
}

void expectEveryCommandStaysInside(const FakeHost &fake, const WatchedOutside &outside)
{
    const std::vector<std::vector<std::string>> commands = {{"list", "--json"},
                                                            {"list", "--type", "all", "--json"},
                                                            {"list"},
                                                            {"affected", "0000:01:00.0"},
                                                            {"status", "--json"},
                                                            {"groups"},
                                                            {"check"},
                                                            {"check", "--json"},
                                                            {"persist", "--list"},
                                                            {"export", "nova", "--eligible"},
                                                            {"sriov", "0000:04:00.0"}};
    ASSERT_EQ(outside.events(), 0);
    for (const auto &command : commands) {
        std::vector<std::string> argv = {VFIOCTL_BINARY, "--root", fake.root()};
        argv.insert(argv.end(), command.begin(), command.end());
        auto result = vfioctl::testing::runProcess(argv);
        const std::string shown = command[0] + (command.size() > 1 ? " " + command[1] : "");
        EXPECT_EQ(outside.events(), 0) << shown << " touched the outside\n" << result.out << result.err;
        EXPECT_EQ(result.out.find("SECRET-OF-THIS-HOST"), std::string::npos) << shown;
        EXPECT_EQ(result.err.find("SECRET-OF-THIS-HOST"), std::string::npos) << shown;
    }
}

} // namespace

TEST(TreeConfinement, ATreeWhoseEveryLinkLeadsOutIsReadOnlyInside)
{
    FakeHost fake;
    vfioctl::testing::buildWorkstation(fake);
    WatchedOutside outside;
    pointEveryLinkOutside(fake.root(), outside.path());
    expectEveryCommandStaysInside(fake, outside);
}

TEST(TreeConfinement, ATreeWhoseEverySysfsFileLeadsOutIsReadOnlyInside)
{
    FakeHost fake;
    vfioctl::testing::buildWorkstation(fake);
    WatchedOutside outside;
    pointEverySysfsFileOutside(fake.root(), outside.path());
    expectEveryCommandStaysInside(fake, outside);
}

TEST(TreeConfinement, TheWatchSeesAReadOutside)
{
    // The proof above is only as good as its watch: a plain read of the outside is seen.
    WatchedOutside outside;
    ASSERT_EQ(outside.events(), 0);
    std::ifstream(outside.path() + "/sub/secret").get();
    EXPECT_GT(outside.events(), 0);
}
