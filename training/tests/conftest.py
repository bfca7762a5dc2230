import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from erlens_train.config import REPO_ROOT  # noqa: E402

SHARED = os.path.join(REPO_ROOT, "..", "shared")
SPEC = os.path.join(REPO_ROOT, "spec", "fixtures")


def load_fixture(name):
    with open(os.path.join(SPEC, name), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def conll_train():
    from erlens_train.data import load_jsonl
    return load_jsonl(os.path.join(SHARED, "data", "conll04", "train.jsonl"))


@pytest.fixture(scope="session")
def tiny_workdir(tmp_path_factory, conll_train):
    """20 training sentences, 10 dev sentences, and tiny fastText vectors made here."""
    from erlens_train.tiny import make_tiny_vectors
    work = str(tmp_path_factory.mktemp("tiny"))
    for name, items in (("train", conll_train[:20]), ("dev", conll_train[20:30])):
        with open(os.path.join(work, name + ".jsonl"), "w", encoding="utf-8") as f:
            for s in items:
                f.write(json.dumps(s.to_json()) + "\n")
    vectors = make_tiny_vectors(conll_train[:200], work)
    return {"dir": work, "train": os.path.join(work, "train.jsonl"), "dev": os.path.join(work, "dev.jsonl"),
            "vectors": vectors}
