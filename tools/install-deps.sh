#!/usr/bin/env bash
# Installs the Debian packages skbscope needs to build, test and run, if any is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config make
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6svg6-dev libgl-dev
  libpcap-dev libgraphviz-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tshark fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "skbscope needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root with:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
