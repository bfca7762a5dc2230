"""Text files of a package folder, written and read by name: a name ending in `.gz` is gzip-compressed
(spec/model-package.md). Why: the clinical package's drug dictionary is 2.0 MB of text and 0.48 MB as gzip,
and the shipped packages share a 100 MB budget. The bytes are reproducible (no timestamp, fixed level), so
two exports of one list are the same file."""
import gzip
import os

GZIP_SUFFIX = ".gz"


def write_text(folder, name, text):
    data = text.encode("utf-8")
    if name.endswith(GZIP_SUFFIX):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read_text(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    if name.endswith(GZIP_SUFFIX):
        data = gzip.decompress(data)
    return data.decode("utf-8")
