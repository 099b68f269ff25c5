#!/bin/bash
# install.sh as a packager and a user run it: into a DESTDIR, the exact file list and modes; a second run changes
# nothing; --uninstall leaves nothing behind; and `cpack -G DEB` makes a .deb with the same files.
# Usage: test_install.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?usage: test_install.sh BUILD_DIR}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
root="$work/destdir"
# shellcheck disable=SC1091
source "$here/tests/lib/check.sh"
state() { (cd "$root" && find . -printf '%p %y %m %s %T@\n' | sort); }

# The layout up to 0.1.0 put the hook executable itself in qemu.d: an upgrade must leave no stale copy there.
mkdir -p "$root/etc/libvirt/hooks/qemu.d"
printf '\177ELF old hook\n' > "$root/etc/libvirt/hooks/qemu.d/vfioctl"
chmod 755 "$root/etc/libvirt/hooks/qemu.d/vfioctl"
"$here/install.sh" --no-deps --prefix /usr --build-type RelWithDebInfo --destdir "$root" --build-dir "$work/build" > "$work/install1.txt" 2>&1
check "install.sh exits 0" test $? -eq 0
(cd "$root" && find . \( -type f -o -type l \) -printf '%p %y %m\n' | sort) > "$work/files.txt"
cat > "$work/expected.txt" <<'EOF'
./etc/libvirt/hooks/qemu.d/vfioctl l 777
./usr/lib/udev/rules.d/40-vfioctl-persist.rules f 644
./usr/lib/udev/rules.d/70-vfioctl-vfio.rules f 644
./usr/libexec/vfioctl/vfioctl-qemu-hook f 755
./usr/sbin/vfioctl f 755
./usr/share/bash-completion/completions/vfioctl f 644
./usr/share/doc/vfioctl/changelog.gz f 644
./usr/share/doc/vfioctl/copyright f 644
./usr/share/man/man8/vfioctl-qemu-hook.8.gz f 644
./usr/share/man/man8/vfioctl.8.gz f 644
EOF
# The Cockpit page: cockpit/dist as built (its font files' names carry their digests) and the manifest.
{ (cd "$here/cockpit/dist" && find . -type f ! -name BUILT-FROM -printf './usr/share/cockpit/vfioctl/%P f 644\n')
  echo "./usr/share/cockpit/vfioctl/manifest.json f 644"; } >> "$work/expected.txt"
sort -o "$work/expected.txt" "$work/expected.txt"
check "exactly the expected files with the expected modes" diff -u "$work/expected.txt" "$work/files.txt"
check "the Cockpit manifest shows the page where this vfioctl is installed" \
    /usr/bin/python3 -c "import json,sys; m=json.load(open(sys.argv[1])); sys.exit(m['conditions'] != [{'path-exists': '/usr/sbin/vfioctl'}] or m['menu']['index']['label'] != 'Host devices')" \
    "$root/usr/share/cockpit/vfioctl/manifest.json"
check "the old hook in qemu.d became a link to the executable in libexec" \
    test "$(readlink "$root/etc/libvirt/hooks/qemu.d/vfioctl")" = /usr/libexec/vfioctl/vfioctl-qemu-hook
check "it says to restart libvirtd only for a live install" bash -c "! grep -q 'restart libvirtd' '$work/install1.txt'"
check "the man page renders" bash -c "man -l '$root/usr/share/man/man8/vfioctl.8.gz' | grep -q 'vfioctl - safe PCI passthrough'"
check "the installed vfioctl runs" "$root/usr/sbin/vfioctl" --version
check "the installed hook runs" bash -c "'$root/usr/libexec/vfioctl/vfioctl-qemu-hook' vm started begin - < /dev/null"
check "the bash completion loads" bash -c "source /usr/share/bash-completion/bash_completion 2>/dev/null; source '$root/usr/share/bash-completion/completions/vfioctl' && complete -p vfioctl"

state > "$work/state1.txt"
"$here/install.sh" --no-deps --prefix /usr --build-type RelWithDebInfo --destdir "$root" --build-dir "$work/build" > "$work/install2.txt" 2>&1
check "a second install exits 0" test $? -eq 0
state > "$work/state2.txt"
check "a second install changes nothing (names, modes, sizes, times)" diff -u "$work/state1.txt" "$work/state2.txt"

"$here/install.sh" --uninstall --destdir "$root" --build-dir "$work/build" > "$work/uninstall.txt" 2>&1
check "uninstall exits 0" test $? -eq 0
check "uninstall leaves nothing in the DESTDIR" test -z "$(cd "$root" && find . -mindepth 1)"

# On a release vfioctl does not support, install.sh stops with one sentence before it installs anything: seen through
# another /etc/os-release in a mount namespace of its own (the host's file is untouched), with an apt-get first on PATH
# that records being called.
mkdir -p "$work/no-apt"
printf '#!/bin/sh\ntouch "%s"\nexit 1\n' "$work/apt-called" > "$work/no-apt/apt-get"
chmod +x "$work/no-apt/apt-get"
for other in 'ID=debian|VERSION_CODENAME=bullseye|Debian GNU/Linux 11 (bullseye)' 'ID=ubuntu|VERSION_CODENAME=noble|Ubuntu 24.04.1 LTS'; do
    IFS='|' read -r id codename pretty <<< "$other"
    printf '%s\n%s\nPRETTY_NAME="%s"\n' "$id" "$codename" "$pretty" > "$work/os-release"
    # --propagation unchanged: in a chroot (the Debian 13 lane) unshare cannot set it; --make-rprivate / then keeps
    # the bind inside the namespace wherever / is a mount point (a systemd host shares its mounts).
    unshare -m --propagation unchanged bash -c "{ mount --make-rprivate / 2> /dev/null || true; } && mount --bind '$work/os-release' /etc/os-release && PATH=$work/no-apt:\$PATH '$here/install.sh' --deps-only" \
        > "$work/unsupported.txt" 2>&1
    check "install.sh on $pretty exits 1" test $? -eq 1
    check "with one sentence naming the supported releases" bash -c "[ \$(wc -l < '$work/unsupported.txt') -eq 1 ] &&
        grep -q '^install.sh: error: this is $pretty, and vfioctl supports Debian 12 (bookworm) and Debian 13 (trixie) only' '$work/unsupported.txt'"
done
check "nothing was installed (apt-get never ran)" test ! -e "$work/apt-called"

# The same build (RelWithDebInfo, prefix /usr) makes the package: nothing is rebuilt.
"$here/packaging/build-deb.sh" "$work/build" > "$work/cpack.txt" 2>&1
check "packaging/build-deb.sh builds the .deb and its -dbgsym" test $? -eq 0
deb=$(ls "$work"/build/vfioctl_*.deb 2>/dev/null | head -1)
ddeb=$(ls "$work"/build/vfioctl-dbgsym_*.ddeb 2>/dev/null | head -1)
if [ -n "$deb" ] && [ -n "$ddeb" ]; then
    dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print "." substr($6, 2) " " $1}' | sed 's/^\.\.\//.\//' | sort > "$work/deb.txt"
    check "the .deb holds the same files" diff -u <(cut -d' ' -f1 "$work/expected.txt") <(cut -d' ' -f1 "$work/deb.txt")
    check "the .deb's hook link points where install.sh's does" \
        bash -c "dpkg-deb -c '$deb' | grep -q 'qemu.d/vfioctl -> /usr/libexec/vfioctl/vfioctl-qemu-hook$'"
    check "the .deb depends on libvirt0 (opened when a command talks to libvirt)" bash -c "dpkg-deb -f '$deb' Depends | grep -q libvirt0"
    check "the -dbgsym holds the debug symbols of both binaries" \
        test "$(dpkg-deb -c "$ddeb" | grep -c '/usr/lib/debug/.build-id/.*[.]debug$')" -eq 2
    lintian "$deb" "$ddeb" > "$work/lintian.txt" 2>&1
    check "lintian reports no error and no warning on either" bash -c "! grep -E '^[EW]: ' '$work/lintian.txt'"
    cat "$work/lintian.txt"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
