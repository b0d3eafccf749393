#!/bin/bash
# The package, its unit and the test suite on Debian 12 itself: Debian's own kernel (6.1) and
# systemd as PID 1, in a qemu VM.
#
#   scripts/test-vm.sh            build what is missing, boot twice, report
#
# 1. image: a Debian 12 minbase system made with debootstrap (kernel, systemd, everything the
#    checks and the suite use, so apt needs no network in the guest), an initramfs with the
#    modules the boot needs, and an ext4 disk image made with "mkfs.ext4 -d" (no loop mount).
#    Cached in build-vm/image/ and rebuilt only when its recipe below changes.
# 2. the .deb (dpkg-buildpackage on a copy of the tree) and a build tree for "meson test".
# 3. boot 1, on a fresh copy of the disk: tests/vm/guest.sh installs the .deb with apt and
#    checks the service as an admin would use it (README), then reboots; boot 2, same disk:
#    what a reboot keeps, then the integration suite on kernel 6.1.
#
# The guest reaches the project through a 9p share (the suite runs on a copy on the guest's
# disk at the project's own path, so the build tree's absolute paths hold); it has no network
# device. Results come back as files in build-vm/run/, written by the guest, with its serial
# consoles (console-N.log), logs and journals. A guest that hangs is killed (RCFS_VM_TIMEOUT,
# default 900 s a boot). Nothing outside build-vm/ is touched: debootstrap and chroot run in
# a private mount namespace. Needs root, debootstrap, qemu-system-x86_64 and, to build the
# image, the Debian archive (RCFS_VM_MIRROR, default deb.debian.org); RCFS_VM_ACCEL replaces
# qemu's accelerator options. Ends with "N passed, N failed"; lines "vm: PASS|FAIL|KDIFF
# NAME" name each check (KDIFF: a kernel difference on 6.1, with its reason, counted as
# passed).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd -P)
VM=$ROOT/build-vm
MIRROR=${RCFS_VM_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
TIMEOUT=${RCFS_VM_TIMEOUT:-900} # per boot: boot 2 runs the suite, ~12 min under TCG

die() {
	echo "test-vm: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

# The guest reads the project's path from a shell file and recreates it: keep it plain.
case "$ROOT" in
*[!A-Za-z0-9._/+-]*) die "project path '$ROOT' has characters the VM's share cannot carry" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
for tool in debootstrap:debootstrap qemu-system-x86_64:qemu-system-x86 mkfs.ext4:e2fsprogs \
	dpkg-buildpackage:dpkg-dev meson:meson wget:wget; do
	command -v "${tool%%:*}" >/dev/null ||
		die "${tool%%:*} not found (package ${tool#*:}; scripts/install-deps.sh installs it)"
done

# What the image holds. Any change here, or in build_image, makes a new image.
PACKAGES=(
	linux-image-amd64 systemd-sysv udev kmod zstd # boot: kernel, init, modules
	fuse3 libfuse3-3 libsystemd0                  # the package's dependencies
	iproute2 dnsmasq-base procps python3          # the checks
	meson libcmocka0 valgrind man-db strace       # the suite: meson test, unit tests, man(1)
)
INITRAMFS_MODULES="virtio_pci virtio_blk ext4 9p 9pnet_virtio fuse"
# Drivers udev would load for the emulated chipset (q35: AHCI, watchdog, SMBus, LPC) and the
# CPU (kvm, cpufreq): seconds each under emulation, and nothing here uses them.
BLACKLIST=modprobe.blacklist=ahci,iTCO_wdt,iTCO_vendor_support,lpc_ich,i2c_i801,kvm_amd,kvm_intel,kvm,powernow_k8,pcspkr
DISK_SIZE=4G
# Run at boot from the image: mounts the share and runs the test script the project has now,
# so changing tests/vm/ needs no new image.
BOOT_SCRIPT='#!/bin/sh
# rcfs-vm-boot: mount the project (9p tag "rcfs") and run its tests/vm/guest.sh.
mkdir -p /mnt/rcfs
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,access=any rcfs /mnt/rcfs ||
	[ ! -x /mnt/rcfs/tests/vm/guest.sh ]; then
	echo "rcfs-vm-boot: no project share" >/dev/console
	systemctl poweroff
	exit 1
fi
exec /mnt/rcfs/tests/vm/guest.sh'
BOOT_UNIT='[Unit]
Description=resolvconffs VM tests (tests/vm/guest.sh from the project share)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/rcfs-vm-boot
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
[Install]
WantedBy=multi-user.target'

passed=0
failed=0
declare -A phase_time
phase() { # phase NAME START: records how long NAME took since START (seconds)
	phase_time[$1]=$((SECONDS - $2))
	echo "vm: phase $1: ${phase_time[$1]} s"
}

# in_root DIR CMD...: CMD chrooted in DIR with /proc, in a private mount namespace.
in_root() {
	local dir=$1
	shift
	unshare --mount --propagation private -- sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$dir" "$@"
}

# The image is remade when what goes into it changes: the settings above or build_image.
image_recipe() {
	printf '%s\n' "$SUITE" "${PACKAGES[*]}" "$INITRAMFS_MODULES" "$DISK_SIZE" \
		"$BOOT_SCRIPT" "$BOOT_UNIT" "$(declare -f build_image)" | sha256sum | cut -d' ' -f1
}
image_is_current() {
	local img=$VM/image
	[ -f "$img/recipe" ] && [ "$(cat "$img/recipe")" = "$(image_recipe)" ] &&
		[ -f "$img/disk.img" ] && [ -f "$img/vmlinuz" ] && [ -f "$img/initrd" ]
}

build_image() {
	local img=$VM/image tmp=$VM/image.tmp root kver
	echo "vm: image: debootstrap $SUITE from $MIRROR (log: $tmp.log)"
	rm -rf "$tmp" "$img"
	mkdir -p "$tmp"
	root=$tmp/rootfs
	# INITRD=No: the kernel's postinst makes no initramfs (one with every module; ours is
	# made below). The private mount namespace keeps debootstrap's /proc and /sys mounts off
	# the host.
	if ! INITRD=No unshare --mount --propagation private -- debootstrap --variant=minbase \
		--include="$(
			IFS=,
			echo "${PACKAGES[*]}"
		)" "$SUITE" "$root" "$MIRROR" >"$tmp.log" 2>&1; then
		die "debootstrap failed: $(grep -E '^E:|[Ee]rror' "$tmp.log" | tail -n 1) (log: $tmp.log)"
	fi

	echo rcfs-vm >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\trcfs-vm\n' >"$root/etc/hosts"
	# The guest's own resolver (guest.sh runs a dnsmasq on 127.0.0.1), not the build host's.
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' >"$root/etc/resolv.conf"
	# The kernel mounts the root rw (root=/dev/vda rw); nothing for systemd to remount.
	echo "# / is mounted by the kernel: root=/dev/vda rw" >"$root/etc/fstab"
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
	echo >>"$root/etc/machine-id"
	printf '%s\n' "$BOOT_SCRIPT" >"$root/usr/local/sbin/rcfs-vm-boot"
	chmod 755 "$root/usr/local/sbin/rcfs-vm-boot"
	printf '%s\n' "$BOOT_UNIT" >"$root/etc/systemd/system/rcfs-vm.service"
	# No network and no login in the guest: timers that would fetch or scrub, and gettys,
	# only cost boot time; so would man-db's index rebuild at every package install.
	systemctl --root="$root" --quiet enable rcfs-vm.service
	systemctl --root="$root" --quiet mask apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer fstrim.timer dpkg-db-backup.timer man-db.timer getty.target 2>/dev/null
	rm -f "$root/var/lib/man-db/auto-update"
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/locale/* \
		"$root"/usr/share/doc/*/changelog*

	kver=$(basename "$(ls -d "$root"/lib/modules/*)")
	mkdir -p "$root/etc/rcfs-initramfs/scripts"
	printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n' >"$root/etc/rcfs-initramfs/initramfs.conf"
	printf '%s\n' $INITRAMFS_MODULES >"$root/etc/rcfs-initramfs/modules"
	in_root "$root" mkinitramfs -d /etc/rcfs-initramfs -o /boot/initrd.vm "$kver" >>"$tmp.log" 2>&1 ||
		die "mkinitramfs failed (log: $tmp.log)"
	mkdir -p "$tmp/out"
	cp "$root/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
	mv "$root/boot/initrd.vm" "$tmp/out/initrd"

	rm -f "$tmp/out/disk.img"
	truncate -s "$DISK_SIZE" "$tmp/out/disk.img"
	mkfs.ext4 -q -F -L rcfs-vm -d "$root" "$tmp/out/disk.img" >>"$tmp.log" 2>&1 ||
		die "mkfs.ext4 -d failed (log: $tmp.log)"
	image_recipe >"$tmp/out/recipe"
	echo "$kver" >"$tmp/out/kernel-version"
	mv "$tmp/out" "$img"
	rm -rf "$tmp"
}

# The .deb, as t-debian-package-contents.sh builds it: a copy of the files git tracks (or
# would), so the tree gets no debian/.debhelper or obj-*.
build_deb() {
	local d=$VM/deb
	rm -rf "$d"
	mkdir -p "$d/resolvconffs"
	if git -c safe.directory='*' -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -c safe.directory='*' -C "$ROOT" ls-files -z --cached --others --exclude-standard |
			tar -C "$ROOT" --null -T - --ignore-failed-read -cf - 2>/dev/null |
			tar -C "$d/resolvconffs" -xf -
	else
		tar -C "$ROOT" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$d/resolvconffs" -xf -
	fi
	(cd "$d/resolvconffs" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
		>"$d.log" 2>&1
}

# The tree "meson test" runs in the guest (the same Debian 12 libraries as the guest's).
build_tree() {
	local b=$VM/build
	if [ ! -f "$b/build.ninja" ]; then
		rm -rf "$b"
		meson setup "$b" -Dwerror=true --buildtype=debugoptimized >"$b.log" 2>&1 || return 1
	fi
	ninja -C "$b" >>"$b.log" 2>&1
}

# boot N SECONDS: boots the run's disk; the guest writes build-vm/run/results-N.txt.
boot() {
	local n=$1 limit=$2 rc=0
	timeout --signal=KILL "$limit" qemu-system-x86_64 \
		-machine q35 $ACCEL -smp 2 -m 3072 \
		-nodefaults -display none -no-reboot \
		-serial "file:$RUN/console-$n.log" \
		-kernel "$VM/image/vmlinuz" -initrd "$VM/image/initrd" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=error $BLACKLIST rcfs.boot=$n" \
		-drive "file=$RUN/disk.img,format=raw,if=virtio,cache=unsafe" \
		-virtfs "local,path=$ROOT,mount_tag=rcfs,security_model=none,id=rcfs" \
		-nic none </dev/null >"$RUN/qemu-$n.log" 2>&1 || rc=$?
	[ "$rc" = 137 ] && echo "vm: boot $n killed after $limit s" >"$RUN/killed-$n"
	return 0
}

# report N: the guest's result lines for boot N, counted; a boot that did not finish fails.
report() {
	local n=$1 f=$RUN/results-$1.txt kind rest
	if [ -f "$f" ]; then
		while read -r kind rest; do
			case "$kind" in
			PASS | KDIFF)
				passed=$((passed + 1))
				echo "vm: $kind $rest"
				;;
			FAIL)
				failed=$((failed + 1))
				echo "vm: FAIL $rest"
				;;
			INFO) echo "vm: $rest" ;;
			esac
		done <"$f"
	fi
	if ! grep -qx "DONE" "$f" 2>/dev/null; then
		failed=$((failed + 1))
		echo "vm: FAIL boot $n did not finish$([ -f "$RUN/killed-$n" ] && echo " (killed after the time limit)");" \
			"qemu: $(tail -n 1 "$RUN/qemu-$n.log" 2>/dev/null); console ($RUN/console-$n.log):" \
			"$(tail -n 3 "$RUN/console-$n.log" 2>/dev/null | tr -d '\r' | tr '\n' ' ')"
	fi
}

if [ -n "${RCFS_VM_ACCEL:-}" ]; then
	ACCEL=$RCFS_VM_ACCEL
elif grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo && [ -w /dev/kvm ]; then
	ACCEL="-accel kvm -cpu host"
else
	# No VMX/SVM (e.g. a paravirtual /dev/kvm that cannot run a stock kernel): emulate. One
	# host thread for both vCPUs: on this 2-core machine multi-threaded TCG made every
	# fork+exec 2-3 times slower (vCPUs waiting for each other's TLB flushes), and the
	# suite is thousands of them.
	ACCEL="-accel tcg,thread=single -cpu max"
fi

start=$SECONDS
mkdir -p "$VM"
# The image (network, dpkg) and the .deb and build tree (CPU) at once.
image_pid=
if image_is_current; then
	echo "vm: image: cached ($VM/image)"
else
	wget -q -T 15 -t 1 -O /dev/null "$MIRROR/dists/$SUITE/Release" ||
		die "the Debian archive '$MIRROR' is unreachable (wget of dists/$SUITE/Release failed); set RCFS_VM_MIRROR"
	build_image &
	image_pid=$!
fi
t=$SECONDS
build_deb && deb_ok=1 || deb_ok=0
phase package "$t"
t=$SECONDS
build_tree && tree_ok=1 || tree_ok=0
phase build "$t"
if [ -n "$image_pid" ]; then
	wait "$image_pid" || exit 1 # build_image's die() printed the line and the count
fi
phase image "$start"
[ "$deb_ok" = 1 ] || die "dpkg-buildpackage failed: $(tail -n 1 "$VM/deb.log") (log: $VM/deb.log)"
[ "$tree_ok" = 1 ] || die "meson build failed: $(tail -n 1 "$VM/build.log") (log: $VM/build.log)"

RUN=$VM/run
rm -rf "$RUN"
mkdir -p "$RUN"
cp "$VM"/deb/resolvconffs_*.deb "$RUN/"
cp --sparse=always "$VM/image/disk.img" "$RUN/disk.img"
echo "RCFS_ROOT=$ROOT" >"$RUN/env"

t=$SECONDS
boot 1 "$TIMEOUT"
phase boot1 "$t"
report 1
if grep -qx DONE "$RUN/results-1.txt" 2>/dev/null; then
	t=$SECONDS
	boot 2 "$TIMEOUT"
	phase boot2 "$t"
	report 2
else
	failed=$((failed + 1))
	echo "vm: FAIL boot 2 not started: boot 1 did not finish"
fi
echo "vm: phases: image ${phase_time[image]} s (package ${phase_time[package]} s, build" \
	"${phase_time[build]} s, in parallel), boot 1 ${phase_time[boot1]} s, boot 2" \
	"${phase_time[boot2]:-0} s; total $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
