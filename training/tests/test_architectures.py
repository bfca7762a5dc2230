"""PFN, Table-Sequence, TablERT-CNN and STSN through the shared loop: a tiny training run whose loss
falls, the export (every graph stage) replayed through ONNX Runtime, and bad input decoded validly."""
import json
import os

import pytest

from erlens_train import architectures
from erlens_train.build import rebuild_from_run
from erlens_train.data import Sentence
from erlens_train.export import export_run
from erlens_train.predict import predict
from erlens_train.tiny import tiny_config
from erlens_train.train import train
from test_train_export import epoch_losses, run_parity

NEW = ["pfn", "table-sequence", "tablert-cnn", "stsn"]


@pytest.fixture(scope="module", params=NEW)
def arch_run(request, tiny_workdir):
    arch = request.param
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=4, architecture=arch)
    cfg["out"] = os.path.join(tiny_workdir["dir"], "run-" + arch)
    cfg["eval_every_epochs"] = 4
    return arch, train(cfg, quiet=True)


def test_every_architecture_is_registered_with_a_decoder_family():
    assert set(architectures.ARCHITECTURES) == {"mge", "pfn", "table-sequence", "tablert-cnn", "stsn"}
    families = {a: architectures.get(a).FAMILY.name for a in architectures.ARCHITECTURES}
    assert families == {"mge": "span-table", "pfn": "span-table", "table-sequence": "tag-table",
                        "tablert-cnn": "tag-table", "stsn": "span-pairs"}


def test_loss_falls(arch_run):
    arch, run = arch_run
    losses = epoch_losses(run)
    assert len(losses) == 4
    assert losses[-1] < 0.85 * losses[0], (arch, losses)


def test_export_and_parity(arch_run, tmp_path):
    arch, run = arch_run
    pkg, parity = str(tmp_path / "pkg"), str(tmp_path / "parity.json")
    export_run(run, pkg, parity_path=parity)
    with open(os.path.join(pkg, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    assert meta["architecture"] == arch
    assert meta["decoder"] == architectures.get(arch).FAMILY.name
    assert meta["decoding"] == architectures.get(arch).FAMILY.default_decode
    if arch == "stsn":
        assert meta["stages"]["pairs"]["file"] == "pairs.onnx"
        assert os.path.isfile(os.path.join(pkg, "pairs.onnx"))
    result = run_parity(parity)
    # batched (padded) and one sentence at a time: a loop or mask that leaks padding fails here
    assert result["max_abs_diff_batch"] < 1e-4, result
    assert result["max_abs_diff_single"] < 1e-4, result
    if arch == "stsn":
        assert result["stage_pairs.onnx"]["single"] < 1e-4, result


def test_recurrent_graphs_hold_a_loop_not_an_unrolled_copy(arch_run, tmp_path):
    """Table-Sequence's 2-D GRU and PFN's cell must scan inside the graph (ONNX Loop): a graph
    unrolled for the export sentence's length would silently be wrong on any other length."""
    arch, run = arch_run
    if arch not in ("pfn", "table-sequence"):
        pytest.skip("no recurrence in this head")
    pkg = str(tmp_path / "pkg")
    export_run(run, pkg)
    with open(os.path.join(pkg, "model.onnx"), "rb") as f:
        graph = f.read()
    assert b"Loop" in graph


def test_bad_input_sentences(arch_run):
    """Longer than any training sentence, one token, all punctuation, empty: valid (maybe empty) output."""
    _, run = arch_run
    cfg, schema, feat, model = rebuild_from_run(run)
    sents = [Sentence("long", ["word%d" % i for i in range(150)], [], []), Sentence("one", ["Smith"], [], []),
             Sentence("punct", list("...,;:!?--"), [], []), Sentence("empty", [], [], [])]
    out = predict(model, feat, sents, cfg["decode"], schema)
    assert out[3] == ([], [])
    for sent, (ents, rels) in zip(sents, out):
        n = len(sent.tokens)
        for s, e, t, p in ents:
            assert 0 <= s < e <= n and t in schema.entity_types and 0.0 <= p <= 1.0
        for h, t, r, p in rels:
            assert 0 <= h < len(ents) and 0 <= t < len(ents) and h != t and r in schema.relation_types
            assert 0.0 <= p <= 1.0
