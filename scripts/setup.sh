#!/usr/bin/env bash
# Installs the system packages Akashi's build and tests need, if they are missing.
# Debian/Ubuntu: OpenSSL headers (RSA via the openssl crate), pkg-config, the openssl CLI
# (independent interop checks in tests), and PC/SC headers (the `pcsc` feature).
set -euo pipefail

need=()
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libpcsclite-dev >/dev/null 2>&1 || need+=(libpcsclite-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
