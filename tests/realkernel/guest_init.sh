#!/bin/busybox sh
# PID 1 of the real-kernel guest: mount the host's / read-only under a tmpfs overlay, put the test kernel's modules
# at /lib/modules (the overlay's tmpfs upper already keeps /tmp writes in the guest), load drivers for the devices present (as udev's coldplug would), run the scenarios, power off.
# With vfioctl.init=systemd, Debian's systemd becomes PID 1 of that root and runs the scenarios as its default unit.
/bin/busybox --install -s /bin
mount -t proc proc /proc
# A host has a name: without one the kernel says "(none)", which Nova's options refuse as a default host name.
hostname vfioctl-guest
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules.order); do insmod "/modules/$module" || echo "guest: insmod $module failed"; done

init=busybox
for word in $(cat /proc/cmdline); do
    case "$word" in
        vfioctl.scenario=*) scenario=${word#*=} ;;
        vfioctl.out=*) out=${word#*=} ;;
        vfioctl.modules=*) modules=${word#*=} ;;
        vfioctl.init=*) init=${word#*=} ;;
    esac
done

mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower || { echo "guest: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o size=1g tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
# A test's verdict must not depend on what the machine that runs it has installed: vfioctl as README's first command
# installed it is hidden here (whiteouts in the tmpfs upper layer; the host is untouched), and each scenario installs
# what it tests.
for installed in /newroot/etc/libvirt/hooks/qemu.d/vfioctl /newroot/etc/vfioctl /newroot/usr/local/sbin/vfioctl \
                 /newroot/usr/sbin/vfioctl /newroot/usr/libexec/vfioctl /newroot/usr/lib/vfioctl \
                 /newroot/usr/local/libexec/vfioctl /newroot/usr/share/doc/vfioctl /newroot/usr/local/share/doc/vfioctl \
                 /newroot/usr/local/lib/udev/rules.d/*vfioctl* /newroot/usr/lib/udev/rules.d/*vfioctl* \
                 /newroot/etc/udev/rules.d/*vfioctl*; do
    [ -e "$installed" ] || [ -L "$installed" ] && rm -rf "$installed"
done
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/run
mount -t tmpfs tmpfs /newroot/dev/shm
mkdir -p "/newroot$out" "/newroot/lib/modules/$(uname -r)"
mount -t 9p -o trans=virtio,version=9p2000.L out "/newroot$out"
mount --bind "/newroot$modules" "/newroot/lib/modules/$(uname -r)"

# Coldplug: load the driver of every device present, twice so that devices behind new drivers get theirs too.
echo "guest: coldplug at $(cut -d' ' -f1 /proc/uptime) s"
for pass in 1 2; do
    chroot /newroot /bin/sh -c 'modprobe -q -b -a $(cat /sys/bus/*/devices/*/modalias) 2>/dev/null'
done
echo "guest: coldplug done at $(cut -d' ' -f1 /proc/uptime) s"

# Several scenarios (comma-separated) share one boot; the first failure's exit code is the guest's.
cat > /newroot/vfioctl-run-scenarios <<EOF
#!/bin/bash
status=0
for one in $(echo "$scenario" | tr ',' ' '); do
    echo "== \$(basename "\$one") (guest uptime \$(cut -d' ' -f1 /proc/uptime) s)" >> "$out/scenario.log"
    /bin/bash "\$one" "$out" >> "$out/scenario.log" 2>&1
    code=\$?
    [ "\$status" -eq 0 ] && status=\$code
done
echo "== done (guest uptime \$(cut -d' ' -f1 /proc/uptime) s)" >> "$out/scenario.log"
echo \$status > "$out/exit_code"
sync
EOF
chmod +x /newroot/vfioctl-run-scenarios
if [ "$init" = systemd ]; then
    # Debian's systemd (from the host's /) as PID 1: its default unit (systemd.unit= on the kernel command line, with
    # fstab=no: the host's fstab names no disk of this guest) runs the scenarios, then powers off. Both are its
    # arguments too: on a host whose / marks a container (/.dockerenv), systemd reads its own command line instead.
    cat > /newroot/etc/systemd/system/vfioctl-scenarios.service <<EOF
[Unit]
Description=vfioctl real-kernel scenarios
Wants=dbus.socket
After=dbus.socket sysinit.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/vfioctl-run-scenarios
EOF
    # A fresh /tmp, as a booting host has: systemd-tmpfiles empties /tmp at boot (D /tmp), which through the overlay
    # would mean a whiteout for every file the host has there (minutes, while other tests fill it).
    mount -t tmpfs -o size=256m tmpfs /newroot/tmp
    echo "guest: systemd as PID 1 at $(cut -d' ' -f1 /proc/uptime) s"
    exec switch_root /newroot /lib/systemd/systemd systemd.unit=vfioctl-scenarios.service fstab=no
fi
chroot /newroot /vfioctl-run-scenarios
poweroff -f
