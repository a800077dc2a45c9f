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
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Independent checkers written by others, pinned, into target/py-tools (no system Python is
# changed): the Standard Webhooks reference library checks the PF's webhook signatures; the
# SD-JWT reference implementation checks our SD-JWTs and issues ones ours must accept; pyHanko
# (with its CLI) validates our PAdES and CAdES signatures AdES-style; jwcrypto checks
# akashi-jose's JWS and JWE and encrypts JWEs ours must decrypt; authlib (with requests) is the
# OpenID Connect relying party that logs in against our provider.
py_tools="$(cd "$(dirname "$0")/.." && pwd)/target/py-tools"
if ! PYTHONPATH="$py_tools" python3 -c "import standardwebhooks, sd_jwt.verifier, pyhanko.cli, jwcrypto.jwe, authlib.oidc.core, requests" >/dev/null 2>&1; then
  echo "setup: installing standardwebhooks, sd-jwt, pyHanko, jwcrypto, authlib and requests into $py_tools"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check --upgrade \
    --target "$py_tools" "standardwebhooks==1.1.0" "sd-jwt==0.10.4" \
    "pyhanko==0.38.0" "pyhanko-cli==0.6.0" "jwcrypto==1.6.1" "authlib==1.9.9" "requests==2.34.2"
fi
