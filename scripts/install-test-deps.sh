#!/usr/bin/env bash
# What the tests need besides npm packages (nothing is downloaded at run time):
#   Debian packages:
#     fasttext                      word vectors (the toolkit trains its own)
#     chromium                      the end-to-end test in a real VS Code (code-server)
#     libkrb5-dev ripgrep           code-server's native modules, built from the npm registry
#   the training toolkit's pinned Python environment, .venv (scripts/setup-python.sh): torch 2.13 CPU,
#   transformers, tokenizers, ONNX Runtime, pytest
# Skips what is already installed; needs root for apt (CI and these machines run as root).
set -euo pipefail
pkgs=(python3-venv fasttext chromium libkrb5-dev ripgrep bc psmisc)
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
"$(dirname "$0")/setup-python.sh"
