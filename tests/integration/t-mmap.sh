#!/bin/bash
# mmap on a file that shows different bytes to different callers: MAP_SHARED is refused
# (ENODEV: direct I/O, and libfuse 3.14 cannot ask for FUSE_DIRECT_IO_ALLOW_MMAP); a
# MAP_PRIVATE mapping made while no other namespace maps the file shows the mapper's bytes.
# (Two namespaces mapping at once share the inode's one page cache: see README, Limits.)
. "$(dirname "$0")/lib.sh"

new_ns A
echo "A's bytes" >"$BACKING/$(ns_id "$A").conf"
echo "host bytes" >"$BACKING/$HOST_ID.conf"
start_daemon "$BACKING" "$MNT"
map() { # map PID SHARED|PRIVATE
	in_ns "$1" python3 - "$MNT" "$2" <<'PY'
import mmap, sys
f = open(sys.argv[1], "rb")
flags = mmap.MAP_SHARED if sys.argv[2] == "SHARED" else mmap.MAP_PRIVATE
try:
    m = mmap.mmap(f.fileno(), 0, flags, mmap.PROT_READ)
except OSError as e:
    print("error", e.errno)
    sys.exit(0)
print(m[:].decode().strip())
PY
}
assert_eq "error 19" "$(map "$A" SHARED)" "MAP_SHARED refused with ENODEV"
assert_eq "A's bytes" "$(map "$A" PRIVATE)" "MAP_PRIVATE in A"
assert_eq "host bytes" "$(python3 -c 'import mmap,sys; f=open(sys.argv[1],"rb"); print(mmap.mmap(f.fileno(),0,mmap.MAP_PRIVATE,mmap.PROT_READ)[:].decode().strip())' "$MNT")" \
	"MAP_PRIVATE in the host after A's mapping is gone"
stop_daemon
pass
