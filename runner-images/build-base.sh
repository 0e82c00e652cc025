#!/usr/bin/env bash
# Builds a runner base image from a local root filesystem, since no image registry is reachable.
#
#   runner-images/build-base.sh [--engine docker|podman] [--tag NAME:TAG] [--from busybox|debootstrap|DIR]
#                               [--with-node]
#
#   --from busybox      (default) a few MB: /bin/busybox (busybox-static) and its applets; enough for
#                       `run:` steps in sh and for tests
#   --from debootstrap  Debian bookworm minbase from the Debian mirror (~70 s, ~200 MB); the base of
#                       the role images under runner-images/<role>/
#   --from DIR          any prepared root filesystem directory
#   --with-node         also copy this machine's node binary and its libraries, so the image can run
#                       runnerpool itself (an instance of the docker/podman provider mounts the code)
#
# The image is imported with `<engine> import` and never pulled or pushed.
set -euo pipefail

engine=docker
tag=""
from=busybox
with_node=false
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    --with-node) with_node=true; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-base.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$from" in
  busybox) tag="${tag:-runnerpool-base:local}" ;;
  debootstrap) tag="${tag:-runnerpool-debian:local}" ;;
  *) tag="${tag:-runnerpool-base:local}" ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

case "$from" in
  busybox)
    busybox="$(command -v busybox || true)"
    [ -n "$busybox" ] || { echo "build-base.sh: busybox is missing: apt-get install -y busybox-static" >&2; exit 1; }
    if ldd "$busybox" >/dev/null 2>&1; then
      echo "build-base.sh: $busybox is dynamically linked: apt-get install -y busybox-static" >&2; exit 1
    fi
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,run,var/tmp}
    chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
    cp "$busybox" "$rootfs/bin/busybox"
    for applet in $("$busybox" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    ln -sf ../../bin/env "$rootfs/usr/bin/env"
    echo "root:x:0:0:root:/root:/bin/sh" > "$rootfs/etc/passwd"
    echo "root:x:0:" > "$rootfs/etc/group"
    ;;
  debootstrap)
    command -v debootstrap >/dev/null || { echo "build-base.sh: apt-get install -y debootstrap" >&2; exit 1; }
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
    ;;
  *)
    [ -d "$from" ] || { echo "build-base.sh: '$from' is not a directory" >&2; exit 1; }
    rootfs="$from"
    ;;
esac

if [ "$with_node" = true ]; then
  node="$(command -v node)"
  [ -n "$node" ] || { echo "build-base.sh: --with-node needs node on this machine" >&2; exit 1; }
  mkdir -p "$rootfs/usr/local/bin"
  cp "$node" "$rootfs/usr/local/bin/node"
  # The loader and every library node links against, at the same paths.
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
fi

tar -C "$rootfs" -c . | "$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/sh"]' - "$tag" >/dev/null
echo "$tag"
