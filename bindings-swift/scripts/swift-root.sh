# Sourced by setup-swift and test-swift: where the cached Debian trixie root with swiftlang
# lives, one lock for it, and mounts that are all undone when the script exits (even on failure).
# The root is outside the clone so CI on the same machine reuses it; AGENTRULES_SWIFT_ROOT moves it.
swift_root="${AGENTRULES_SWIFT_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/agentrules/swift-trixie}"
swift_ready="$swift_root/.agentrules-ready"   # written last, once swiftlang is installed
swift_mounts=()

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# One user of the root at a time: concurrent runs (a developer and CI) would otherwise share
# mount points inside it. The lock is released when the script exits.
swift_lock() {
  mkdir -p "$(dirname "$swift_root")"
  exec 9>"$swift_root.lock"
  if ! flock -n 9; then
    echo "swift root: waiting for another run to release $swift_root.lock" >&2
    flock 9
  fi
}

# swift_mount DIR_INSIDE_ROOT mount-args...: mounts onto "$swift_root$DIR", remembered for unmounting.
swift_mount() {
  local dir="$swift_root$1"
  shift
  as_root mkdir -p "$dir"
  as_root mount "$@" "$dir"
  swift_mounts+=("$dir")
}

# Unmounts in reverse order; an EXIT trap, so a failed build or test leaves nothing mounted.
swift_unmount_all() {
  local i
  for ((i = ${#swift_mounts[@]} - 1; i >= 0; i--)); do
    as_root umount "${swift_mounts[i]}" || as_root umount -l "${swift_mounts[i]}"
  done
  swift_mounts=()
}

# Fails when anything is mounted under DIR: checked before a root is deleted or moved, so a
# stale bind mount of the repository can never be removed with it.
swift_assert_unmounted() {
  if awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    echo "swift root: something is still mounted under $1; unmount it first:" >&2
    awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print "  " $5 }' /proc/self/mountinfo >&2
    return 1
  fi
}
