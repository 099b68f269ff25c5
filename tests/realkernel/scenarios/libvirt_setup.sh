# Sourced by the libvirt scenarios (after they define `check`): installs vfioctl as a user would (`cmake --install`
# of the build under test: what install.sh runs after building), starts real virtlogd + libvirtd in the real-kernel
# guest, and defines `virsh` bound to qemu:///system. Needs $BUILD and $out. A second scenario in the same boot
# finds it all running.
virsh() { command virsh -q -c qemu:///system "$@"; }
if virsh version > /dev/null 2>&1; then
    return 0
fi
# libvirt looks for hooks when it starts: the hook goes in first.
cmake --install "$BUILD" > "$out/install.txt" 2>&1
check "cmake --install puts the hook in /etc/libvirt/hooks/qemu.d" test -x /etc/libvirt/hooks/qemu.d/vfioctl
mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu /run/libvirt
# No mount namespaces or cgroups inside the test guest's chroot; root runs QEMU (no libvirt-qemu user here).
cat > /etc/libvirt/qemu.conf <<'EOF'
user = "root"
group = "root"
namespaces = [ ]
cgroup_controllers = [ ]
security_driver = "none"
remember_owner = 0
EOF
# libvirtd resolves its built-in QEMU user before reading qemu.conf; the shared root has no libvirt-daemon-system.
getent group libvirt-qemu > /dev/null || echo "libvirt-qemu:x:64055:" >> /etc/group
getent passwd libvirt-qemu > /dev/null || echo "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin" >> /etc/passwd
virtlogd > "$out/virtlogd.log" 2>&1 &
LIBVIRT_LOG_OUTPUTS="3:file:$out/libvirtd.log" libvirtd > "$out/libvirtd.out" 2>&1 &
for _ in $(seq 100); do virsh -c qemu:///system version > /dev/null 2>&1 && break; sleep 0.2; done
check "libvirtd answers" virsh version

