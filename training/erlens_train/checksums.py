"""One file checksum for the whole toolkit: package graphs in model.json (export.py) and the pretrained
encoder's weights and RECORD in model.json's encoder.source (pretrained.py)."""
import hashlib


def file_sha256(path):
    """Hex sha256 of a file, read in 1 MiB chunks (graphs and weights are tens of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
