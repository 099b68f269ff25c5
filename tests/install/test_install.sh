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
passed=0
failed=0
check() {
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
state() { (cd "$root" && find . -printf '%p %y %m %s %T@\n' | sort); }

"$here/install.sh" --no-deps --prefix /usr --destdir "$root" --build-dir "$work/build" > "$work/install1.txt" 2>&1
check "install.sh exits 0" test $? -eq 0
(cd "$root" && find . -type f -printf '%p %m\n' | sort) > "$work/files.txt"
cat > "$work/expected.txt" <<'EOF'
./etc/libvirt/hooks/qemu.d/vfioctl 755
./usr/lib/udev/rules.d/40-vfioctl-persist.rules 644
./usr/lib/udev/rules.d/70-vfioctl-vfio.rules 644
./usr/sbin/vfioctl 755
./usr/share/bash-completion/completions/vfioctl 644
./usr/share/man/man8/vfioctl-qemu-hook.8 644
./usr/share/man/man8/vfioctl.8 644
EOF
check "exactly the expected files with the expected modes" diff -u "$work/expected.txt" "$work/files.txt"
check "it says to restart libvirtd only for a live install" bash -c "! grep -q 'restart libvirtd' '$work/install1.txt'"
check "the man page renders" bash -c "man -l '$root/usr/share/man/man8/vfioctl.8' | grep -q 'vfioctl - safe PCI passthrough'"
check "the installed vfioctl runs" "$root/usr/sbin/vfioctl" --version
check "the installed hook runs" bash -c "'$root/etc/libvirt/hooks/qemu.d/vfioctl' vm started begin - < /dev/null"
check "the bash completion loads" bash -c "source /usr/share/bash-completion/bash_completion 2>/dev/null; source '$root/usr/share/bash-completion/completions/vfioctl' && complete -p vfioctl"

state > "$work/state1.txt"
"$here/install.sh" --no-deps --prefix /usr --destdir "$root" --build-dir "$work/build" > "$work/install2.txt" 2>&1
check "a second install exits 0" test $? -eq 0
state > "$work/state2.txt"
check "a second install changes nothing (names, modes, sizes, times)" diff -u "$work/state1.txt" "$work/state2.txt"

"$here/install.sh" --uninstall --destdir "$root" --build-dir "$work/build" > "$work/uninstall.txt" 2>&1
check "uninstall exits 0" test $? -eq 0
check "uninstall leaves nothing in the DESTDIR" test -z "$(cd "$root" && find . -mindepth 1)"

(cd "$work/build" && cpack -G DEB > "$work/cpack.txt" 2>&1)
check "cpack builds a .deb" test $? -eq 0
deb=$(ls "$work"/build/vfioctl_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then
    dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print "." substr($6, 2) " " $1}' | sed 's/^\.\.\//.\//' | sort > "$work/deb.txt"
    check "the .deb holds the same files" diff -u <(cut -d' ' -f1 "$work/expected.txt") <(cut -d' ' -f1 "$work/deb.txt")
    check "the .deb depends on libvirt0 (found by dpkg-shlibdeps)" bash -c "dpkg-deb -f '$deb' Depends | grep -q libvirt0"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
