#!/usr/bin/env bash
# A base image for jib when no container registry can be reached (only Debian's package archive):
# Debian 12 with OpenJDK 17 JRE, built by mmdebstrap from the apt sources of this machine, written as a
# docker-archive tarball that jib reads with tar://.
#
#   sudo apt-get install -y mmdebstrap      # once; run this script as root (or see mmdebstrap --mode)
#   k8s/offline-base-image.sh               # -> target/base-image/debian-jre17.tar
#   mvn -B package jib:buildTar -DskipTests -Djib.from.image=tar://$PWD/target/base-image/debian-jre17.tar
#
# The default base (eclipse-temurin:17-jre, pom.xml) is what you want wherever a registry is reachable.
set -euo pipefail

out_dir=${1:-target/base-image}
suite=bookworm
mkdir -p "$out_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/jre-base.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The mirrors this machine's apt uses (deb822 or one-line format), so nothing else has to be reachable.
sources=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
[ -n "$sources" ] || { echo "no apt sources found" >&2; exit 1; }

printf '%s\n' "$sources" | mmdebstrap --variant=apt \
  --include=openjdk-17-jre-headless,ca-certificates \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  "$suite" "$work/layer.tar" -

diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["debian-jre17:$suite"],"Layers":["layer.tar"]}]
JSON
tar -C "$work" -cf "$out_dir/debian-jre17.tar" manifest.json config.json layer.tar
echo "base image: $out_dir/debian-jre17.tar"
