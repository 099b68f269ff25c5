"""A Cockpit web server with the vfioctl page, for the browser tests and the first-paint figure.

Everything runs as an unprivileged user (nobody): cockpit-ws with --local-session runs the bridge as that user
without a login, and libvirt's session daemon (qemu:///session, private XDG directories) stands for the host's
libvirt, so an assign really changes a VM definition and nothing on the machine is touched. The page finds `vfioctl`
on PATH: a wrapper that runs the build's vfioctl on the fabricated host chosen with use_host() (--root TREE
--connect qemu:///session).
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

USER = "nobody"


class CockpitSession:
    def __init__(self, vfioctl, make_host, source):
        """vfioctl and make_synthetic_host of the build under test; `source` the tree holding cockpit/."""
        self.work = tempfile.mkdtemp(prefix="vfioctl-cockpit-")
        os.chmod(self.work, 0o755)
        account = pwd.getpwnam(USER)
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.hosts = {}
        self.bin = self._directory("bin")
        # The build's binary may sit below a directory the user cannot enter: a copy is beside the wrapper.
        self.vfioctl = os.path.join(self.bin, "vfioctl.real")
        shutil.copy(vfioctl, self.vfioctl)
        self.make_host = os.path.join(self.bin, "make_synthetic_host")
        shutil.copy(make_host, self.make_host)
        self._directory("hosts")
        self.env = {"PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "HOME": self._directory("home"),
                    "XDG_RUNTIME_DIR": self._directory("run", 0o700), "XDG_DATA_HOME": self._directory("data"),
                    "XDG_CONFIG_HOME": self._directory("config"), "XDG_CACHE_HOME": self._directory("cache"),
                    "LANG": "C.UTF-8"}
        # The page runs the path its manifest names (bin/vfioctl-page); a decoy vfioctl first on PATH fails loudly, so a
        # page that ran "vfioctl" from PATH fails every check.
        wrapper = os.path.join(self.bin, "vfioctl-page")
        with open(wrapper, "w") as script:
            script.write("#!/bin/sh\n# The fabricated host the test chose; libvirt's session daemon as the host's for the\n"
                         "# commands that ask libvirt.\n"
                         'case "$1" in list|vms|holders|assign|unassign) set -- "$@" --connect qemu:///session ;; esac\n'
                         f'work={self.work}\n'
                         # Every command the page runs, for a test to tell what a refresh re-read.
                         'echo "$1" >> "$work/commands.log"\n'
                         # fail-COMMAND: the next COMMAND fails with vfioctl's kind of sentence.
                         'if [ -f "$work/fail-$1" ]; then rm -f "$work/fail-$1"; cat "$work/fail-message" >&2; exit 1; fi\n'
                         # slow-COMMAND: the next COMMAND answers what it read now, 3 s later (a slow read overtaken).
                         'if [ -f "$work/slow-$1" ]; then\n'
                         '    rm -f "$work/slow-$1"\n'
                         f'    out=$({self.vfioctl} --root "$(cat $work/current-root)" "$@"); code=$?\n'
                         '    sleep 3; printf "%s\\n" "$out"; touch "$work/slow-answered"; exit $code\n'
                         'fi\n'
                         f'exec {self.vfioctl} --root "$(cat {self.work}/current-root)" "$@"\n')
        os.chmod(wrapper, 0o755)
        decoy = os.path.join(self.bin, "vfioctl")
        with open(decoy, "w") as script:
            script.write("#!/bin/sh\necho 'vfioctl: error: the vfioctl found on PATH ran, not the manifest's' >&2\nexit 1\n")
        os.chmod(decoy, 0o755)
        self.command = wrapper
        package = self._directory("data/cockpit/vfioctl")
        shutil.copytree(os.path.join(source, "cockpit/dist"), package, dirs_exist_ok=True)
        with open(os.path.join(source, "cockpit/manifest.json.in")) as template, open(os.path.join(package, "manifest.json"), "w") as manifest:
            manifest.write(template.read().replace("@PROJECT_VERSION@", "0").replace("@VFIOCTL_COMMAND@", wrapper))
        self._own(self.work)
        self.port = self._free_port()
        self.server = None

    def _directory(self, name, mode=0o755):
        path = os.path.join(self.work, name)
        os.makedirs(path, mode=mode, exist_ok=True)
        return path

    def _own(self, top):
        for directory, subdirectories, files in os.walk(top):
            for name in [directory] + [os.path.join(directory, one) for one in subdirectories + files]:
                os.lchown(name, self.uid, self.gid)

    @staticmethod
    def _free_port():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def _as_user_argv(self, args):
        """A command line that runs args as the page's user, with only its environment (its libvirt session)."""
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "env", "-i",
                *[f"{k}={v}" for k, v in self.env.items()], *args]

    def as_user(self, args, **kwargs):
        """Runs a command as the page's user and returns what it printed."""
        return subprocess.run(self._as_user_argv(args), capture_output=True, text=True, cwd=self.work, **kwargs)

    def add_host(self, name, kind, change=None):
        """A fabricated host (make_synthetic_host KIND), changed by change(root) if given, owned by the user."""
        # Made by the user itself: a 10,000-function tree is too many files to hand over one by one.
        made = self.as_user([self.make_host, kind], check=True)
        root = os.path.join(self.work, "hosts", name)
        shutil.move(made.stdout.split()[0], root)
        os.makedirs(os.path.join(root, "run/vfioctl/owners"), exist_ok=True)
        if change:
            change(root)
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", os.path.join(root, "run"), os.path.join(root, "proc")],
                       check=True)
        self.hosts[name] = root
        return root

    def marker(self, name, text=""):
        """A file the page's vfioctl wrapper acts on (fail-COMMAND, slow-COMMAND), removable by the page's user."""
        path = os.path.join(self.work, name)
        with open(path, "w") as marker:
            marker.write(text)
        os.lchown(path, self.uid, self.gid)

    def commands_run(self):
        """The vfioctl commands the page has run so far (their first word), and forgets them."""
        path = os.path.join(self.work, "commands.log")
        if not os.path.exists(path):
            return []
        with open(path) as log:
            commands = log.read().split()
        open(path, "w").close()
        return commands

    def use_host(self, name):
        with open(os.path.join(self.work, "current-root"), "w") as current:
            current.write(self.hosts[name])
        os.chmod(os.path.join(self.work, "current-root"), 0o644)

    def vfioctl_json(self, *args):
        done = self.as_user([self.command, *args, "--json"])
        if done.returncode != 0 and not (args[0] == "check" and done.stdout):
            raise RuntimeError(f"vfioctl {' '.join(args)}: {done.stderr}")
        return json.loads(done.stdout)

    def define_vm(self, name):
        xml = os.path.join(self.work, f"{name}.xml")
        with open(xml, "w") as definition:
            definition.write(f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory>"
                             "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices/></domain>")
        done = self.as_user(["virsh", "-c", "qemu:///session", "define", xml])
        if done.returncode != 0:
            raise RuntimeError(f"virsh define {name}: {done.stderr}")

    def start(self):
        self.server = subprocess.Popen(
            self._as_user_argv(["/usr/lib/cockpit/cockpit-ws", "--port", str(self.port), "--address", "127.0.0.1",
                                "--local-session=cockpit-bridge"]),
            stdout=open(os.path.join(self.work, "cockpit-ws.log"), "w"), stderr=subprocess.STDOUT, cwd=self.work)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/cockpit/@localhost/manifests.json", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("cockpit-ws did not answer; see " + os.path.join(self.work, "cockpit-ws.log"))

    @property
    def page_url(self):
        return f"http://127.0.0.1:{self.port}/cockpit/@localhost/vfioctl/index.html"

    def stop(self, keep=False):
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=10)
        # The bridge and the session libvirtd this test started (it would leave after its own idle timeout), found in
        # /proc: a minimal Debian has no pkill.
        for entry in os.listdir("/proc"):
            try:
                if not entry.isdigit() or os.stat(f"/proc/{entry}").st_uid != self.uid:
                    continue
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    words = cmdline.read().split(b"\0")
                if words[0].endswith((b"cockpit-bridge", b"libvirtd")) and self.work.encode() in open(
                        f"/proc/{entry}/environ", "rb").read():
                    os.kill(int(entry), signal.SIGTERM)
            except (OSError, IndexError):
                continue
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                     "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


JOURNAL = "vfioctl-journal 3\n"


def bind_link(root, address, driver):
    """The device's driver link, as the kernel sets it when `driver` binds it."""
    device = os.path.realpath(f"{root}/sys/bus/pci/devices/{address}")
    link = f"{device}/driver"
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.relpath(f"{root}/sys/bus/pci/drivers/{driver}", device), link)


def start_vm_as_the_hook(root, vm, uuid, devices):
    """What the hook leaves when libvirt starts VM `vm` with `devices` ({address: original driver}): each device on
    vfio-pci, and the VM's journal saying what it had (the format of src/binding/journal_format.cpp)."""
    for address in devices:
        bind_link(root, address, "vfio-pci")
    journal = {"owner_kind": "vm", "uuid": uuid, "name": vm, "since": int(time.time()), "process": None,
               "devices": [{"address": address, "original_driver": driver, "original_override": "", "state": "bound",
                            "from_pool": False, "module": driver} for address, driver in devices.items()],
               "console": None}
    path = f"{root}/run/vfioctl/owners/vm-{uuid}.journal"
    with open(path + ".tmp", "w") as out:
        out.write(JOURNAL + json.dumps(journal, indent=2) + "\n")
    # vfioctl believes only a journal of the tree's owner (as only root's on a live host): the hook would be that.
    tree = os.stat(root)
    os.chown(path + ".tmp", tree.st_uid, tree.st_gid)
    os.rename(path + ".tmp", path)


def stop_vm_as_the_hook(root, uuid, devices):
    """What the hook's `release end` leaves: each device back on its driver ({address: driver}), no journal."""
    for address, driver in devices.items():
        bind_link(root, address, driver)
    os.unlink(f"{root}/run/vfioctl/owners/vm-{uuid}.journal")
