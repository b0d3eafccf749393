#!/bin/bash
# "dpkg-buildpackage -us -uc -b", run on a copy of the tree (the files git tracks or would
# track, as they are in the work tree; the tree itself gets no debian/.debhelper or obj-*),
# makes a .deb with the daemon, its man page, the template unit (ExecStart=/usr/sbin/...),
# the example environment files and /etc/resolvconffs/; it depends on fuse3 and on
# libsystemd0 (Type=notify needs sd_notify), enables and starts nothing on installation, and
# its binary, unpacked with dpkg-deb -x, runs.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v dpkg-buildpackage >/dev/null || skip "needs dpkg-buildpackage (package dpkg-dev)"
command -v dh >/dev/null || skip "needs debhelper"

version=$(sed -n '1s/^resolvconffs (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")
[ -n "$version" ] || fail "no version in debian/changelog"
upstream=${version%-*}
meson_version=$(sed -n "s/^  version: '\([^']*\)',$/\1/p" "$SRC/meson.build")
assert_eq "$meson_version" "$upstream" "debian/changelog's upstream version vs meson.build"

# The copy: in a git checkout the tracked and untracked-but-not-ignored files, so build
# directories stay behind; in an unpacked tarball everything but build directories.
mkdir -p "$T/src/resolvconffs"
if git -c safe.directory='*' -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -c safe.directory='*' -C "$SRC" ls-files -z --cached --others --exclude-standard |
		tar -C "$SRC" --null -T - --ignore-failed-read -cf - 2>/dev/null |
		tar -C "$T/src/resolvconffs" -xf -
else
	tar -C "$SRC" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$T/src/resolvconffs" -xf -
fi
[ -f "$T/src/resolvconffs/debian/rules" ] || fail "debian/rules missing from the copy"

# nocheck: the unit tests run in this suite already; this test is about the package.
start=$SECONDS
if ! (cd "$T/src/resolvconffs" &&
	DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	tail -n 40 "$T/build.log" >&2
	fail "dpkg-buildpackage failed"
fi
echo "dpkg-buildpackage took $((SECONDS - start)) s"

deb=$T/src/resolvconffs_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $(basename "$deb"); built: $(ls "$T/src")"

contents=$(dpkg-deb -c "$deb" | awk '{ print $NF }')
for path in ./usr/sbin/resolvconffs ./usr/share/man/man8/resolvconffs.8.gz \
	./lib/systemd/system/resolvconffs@.service \
	./usr/share/doc/resolvconffs/examples/resolv.conf.example \
	./usr/share/doc/resolvconffs/examples/hosts.conf.example \
	./usr/share/doc/resolvconffs/copyright ./etc/resolvconffs/; do
	grep -qxF -- "$path" <<<"$contents" || fail "package lacks $path; it has: $contents"
done

depends=$(dpkg-deb -f "$deb" Depends)
for dep in fuse3 libfuse3-3 libsystemd0; do
	grep -qE "(^|, )$dep( |,|$)" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
assert_eq "$version" "$(dpkg-deb -f "$deb" Version)" "package version"

# A template unit has no instance to enable or start: no maintainer script may try.
dpkg-deb -e "$deb" "$T/control"
for script in "$T"/control/{preinst,postinst,prerm,postrm}; do
	[ -e "$script" ] || continue
	if grep -nE "deb-systemd-(helper|invoke).*(enable|start)|systemctl.*(enable|start)" \
		"$script" >&2; then
		fail "$(basename "$script") enables or starts the unit"
	fi
done

dpkg-deb -x "$deb" "$T/root"
unit=$T/root/lib/systemd/system/resolvconffs@.service
grep -q '^ExecStart=/usr/sbin/resolvconffs ' "$unit" || fail "unit's ExecStart: $(grep ExecStart= "$unit")"
cmp "$SRC/dist/resolvconffs/resolv.conf.example" \
	"$T/root/usr/share/doc/resolvconffs/examples/resolv.conf.example" ||
	fail "packaged resolv.conf.example differs from dist/"
assert_eq "resolvconffs $upstream" "$("$T/root/usr/sbin/resolvconffs" --version)" "--version"
pass
