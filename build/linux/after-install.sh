#!/bin/sh
# electron-builder deb/rpm `afterInstall`: let members of the "wireshark" group capture packets.
# dbwire captures through dumpcap (Wireshark's small capture helper) when it may not open the
# capture device itself. Capture rights go to dumpcap, never to the dbwire/Electron binary.
# Debian/Ubuntu: the supported switch is wireshark-common's debconf question (it sets the group
# and the capabilities through dpkg-statoverride, so upgrades keep them). Elsewhere: setcap.
set -e

DUMPCAP="$(command -v dumpcap 2>/dev/null || true)"
[ -n "$DUMPCAP" ] || DUMPCAP=/usr/bin/dumpcap
if [ ! -x "$DUMPCAP" ]; then
  echo "dbwire: dumpcap is not installed; live capture needs root or: apt-get install wireshark-common" >&2
  exit 0
fi

if command -v debconf-set-selections >/dev/null 2>&1 && dpkg -s wireshark-common >/dev/null 2>&1; then
  echo "wireshark-common wireshark-common/install-setuid boolean true" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive dpkg-reconfigure -f noninteractive wireshark-common || true
fi

# Verify (and fall back to setcap when the package route did not apply, e.g. on rpm systems).
if ! getent group wireshark >/dev/null 2>&1; then
  groupadd --system wireshark 2>/dev/null || addgroup --system wireshark 2>/dev/null || true
fi
if command -v getcap >/dev/null 2>&1 && ! getcap "$DUMPCAP" | grep -q cap_net_raw; then
  chgrp wireshark "$DUMPCAP" && chmod 0750 "$DUMPCAP" && setcap cap_net_raw,cap_net_admin=eip "$DUMPCAP" || \
    echo "dbwire: could not grant capture rights to $DUMPCAP; run dbwire's captures as root" >&2
fi

echo "dbwire: to capture without root, add your user to the wireshark group: sudo usermod -aG wireshark \$USER (then log in again)"
exit 0
