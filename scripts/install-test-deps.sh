#!/usr/bin/env bash
# System packages the tests need, from Debian only (no pip, no downloads at run time):
#   python3-torch + python3-pytest  the training toolkit's tests (Debian's PyTorch 1.13, CPU)
#   fasttext                        word vectors (the toolkit trains its own)
#   libopenblas0-pthread            a fast BLAS for Debian's torch (the reference BLAS is ~5x slower)
#   chromium                        the end-to-end test in a real VS Code (code-server)
#   libkrb5-dev ripgrep             code-server's native modules, built from the npm registry
# Skips what is already installed; needs root (CI and these machines run as root).
set -euo pipefail
pkgs=(python3-torch python3-pytest python3-numpy fasttext libopenblas0-pthread chromium libkrb5-dev ripgrep bc psmisc)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "system packages ready"
