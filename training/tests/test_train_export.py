"""A tiny real training run, its export and the PyTorch-vs-ONNX Runtime parity check."""
import json
import os
import subprocess

import pytest
import torch

from conftest import REPO_ROOT
from erlens_train.config import ConfigError, load_config
from erlens_train.export import export_run
from erlens_train.tiny import tiny_config
from erlens_train.train import train


def epoch_losses(run_dir):
    with open(os.path.join(run_dir, "log.jsonl"), encoding="utf-8") as f:
        return [r["loss"] for r in map(json.loads, f) if r.get("event") == "epoch"]


def run_parity(parity_path):
    """Replays the exported batch through onnxruntime-node, batched and one sentence at a time."""
    script = os.path.join(REPO_ROOT, "scripts", "onnx-parity.mjs")
    out = subprocess.run(["node", script, parity_path], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tiny_run(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=6)
    cfg["eval_every_epochs"] = 3
    cfg["keep_epochs"] = [4, 5, 6]
    run = train(cfg, quiet=True)
    return cfg, run


def test_loss_falls(tiny_run):
    _, run = tiny_run
    losses = epoch_losses(run)
    assert len(losses) == 6
    # the output bias starts at the positive-cell prior, so the first epoch is already far below ln 2 per cell
    assert losses[-1] < 0.85 * losses[0], losses
    assert losses == sorted(losses, reverse=True), losses


def test_same_seed_same_run(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=2)
    a = epoch_losses(train(dict(cfg, out=os.path.join(tiny_workdir["dir"], "seed-a")), quiet=True))
    b = epoch_losses(train(dict(cfg, out=os.path.join(tiny_workdir["dir"], "seed-b")), quiet=True))
    c = epoch_losses(train(dict(cfg, seed=2, out=os.path.join(tiny_workdir["dir"], "seed-c")), quiet=True))
    assert a == b
    assert a != c


def test_resume_continues_where_it_stopped(tiny_workdir):
    base = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                       epochs=4)
    full = epoch_losses(train(dict(base, out=os.path.join(tiny_workdir["dir"], "full")), quiet=True))
    part = dict(base, out=os.path.join(tiny_workdir["dir"], "part"))
    train(dict(part, stop_after_epochs=2), quiet=True)  # as if the process died after epoch 2
    assert len(epoch_losses(part["out"])) == 2
    resumed = epoch_losses(train(part, resume=True, quiet=True))
    assert len(resumed) == 4
    assert resumed == pytest.approx(full, rel=1e-5)


def test_export_and_parity(tiny_run, tmp_path):
    _, run = tiny_run
    pkg, parity = str(tmp_path / "pkg"), str(tmp_path / "parity.json")
    export_run(run, pkg, package_id="tiny-test", parity_path=parity)
    meta = json.load(open(os.path.join(pkg, "model.json"), encoding="utf-8"))
    assert meta["architecture"] == "mge" and meta["decoder"] == "span-table"
    assert meta["entity_types"] == ["Loc", "Org", "Other", "Peop"]
    assert set(os.listdir(pkg)) >= {"model.onnx", "model.json", "vocab.words.txt", "vocab.chars.json"}
    result = run_parity(parity)
    assert result["sentences"] == 4
    # fp16 word table vs the fp32 PyTorch model: differences stay at fp16 rounding level
    assert result["max_abs_diff_batch"] < 1e-3, result
    assert result["max_abs_diff_single"] < 1e-3, result


def test_average_of_kept_epochs_is_a_run_that_exports(tiny_run, tmp_path):
    """keep_epochs keeps epoch-<N>.pt; `average` writes a run whose best.pt is their mean, which exports."""
    from erlens_train.average import average
    _, run = tiny_run
    kept = [torch.load(os.path.join(run, "epoch-%d.pt" % e))["model"] for e in (4, 5, 6)]
    assert not os.path.exists(os.path.join(run, "epoch-3.pt"))
    out = average(run, [4, 5, 6], str(tmp_path / "avg"))
    mean = torch.load(os.path.join(out, "best.pt"))["model"]
    name = next(k for k, v in mean.items() if v.is_floating_point() and v.numel() > 1)
    assert torch.allclose(mean[name], sum(k[name] for k in kept) / 3, atol=1e-6)
    assert not torch.equal(mean[name], kept[-1][name])
    assert json.load(open(os.path.join(out, "averaged.json")))["epochs"] == [4, 5, 6]
    pkg = str(tmp_path / "pkg")
    export_run(out, pkg, package_id="tiny-avg")
    assert os.path.isfile(os.path.join(pkg, "model.onnx"))
    with pytest.raises(ValueError, match="exists"):
        average(run, [4, 5], out)
    with pytest.raises(FileNotFoundError, match="keep_epochs"):
        average(run, [2, 6], str(tmp_path / "avg2"))


def test_export_fp32_parity_is_exact(tiny_run, tmp_path):
    _, run = tiny_run
    parity = str(tmp_path / "parity.json")
    export_run(run, str(tmp_path / "pkg32"), word_table="fp32", parity_path=parity)
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4, result


def test_config_naming_a_missing_file_is_refused(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], "/nonexistent/dev.jsonl", tiny_workdir["vectors"])
    with pytest.raises(ConfigError, match="missing file"):
        load_config(cfg)
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], "/nonexistent/vectors.bin")
    with pytest.raises(ConfigError, match="vectors"):
        load_config(cfg)
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/config.json")


def test_span_trim_may_name_a_rules_file(tiny_workdir, tmp_path):
    """Configs that share span rules name one file; the loader reads it, and refuses a missing one."""
    rules = {"Peop": {"leading": ["mr"], "never": ["the president"]}}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"])
    assert load_config(dict(cfg, span_trim=str(path)))["span_trim"] == rules
    with pytest.raises(ConfigError, match="span_trim names a missing file"):
        load_config(dict(cfg, span_trim=str(tmp_path / "nope.json")))
    with pytest.raises(ConfigError, match="span_trim must be an object"):
        load_config(dict(cfg, span_trim=["mr"]))


def test_shipped_clinical_package_applies_the_clinical_span_rules():
    """The shipped clinical package carries exactly the rules its config names (one home: span-rules/)."""
    from erlens_train.config import span_rules
    from erlens_train.span_trim import normalise
    raw = json.load(open(os.path.join(REPO_ROOT, "training", "configs", "mge-clinical.json")))
    rules = span_rules(raw["span_trim"])
    shipped = json.load(open(os.path.join(REPO_ROOT, "models", "mge-clinical", "model.json")))["span_trim"]
    assert shipped == normalise(rules)


def test_shipped_general_package_applies_the_general_span_rules():
    """De-identification placeholders (XXXX, M.D.) are no names: mge-conll04 carries its config's rules."""
    from erlens_train.config import span_rules
    from erlens_train.span_trim import normalise, trim_spans
    raw = json.load(open(os.path.join(REPO_ROOT, "training", "configs", "mge-conll04.json")))
    shipped = json.load(open(os.path.join(REPO_ROOT, "models", "mge-conll04", "model.json")))["span_trim"]
    assert shipped == normalise(span_rules(raw["span_trim"]))
    words = "Dr. XXXX of YYYY , M.D. , saw Mr. Jones in Boston .".split()
    ents = [(1, 2, "Peop", 0.9), (3, 4, "Loc", 0.9), (5, 6, "Peop", 0.8), (9, 10, "Peop", 0.9), (11, 12, "Loc", 0.9)]
    kept, _ = trim_spans(ents, [], words, shipped)
    assert [words[s] for s, _, _, _ in kept] == ["Jones", "Boston"]


def test_unknown_architecture_is_refused(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"])
    cfg["architecture"] = "nope"
    with pytest.raises(ValueError, match="unknown architecture"):
        load_config(cfg)


def test_bad_input_sentences(tiny_run):
    """Empty sentences, a sentence longer than any in training, unseen characters."""
    from erlens_train.build import rebuild_from_run
    from erlens_train.data import Sentence
    from erlens_train.predict import predict
    _, run = tiny_run
    cfg, schema, feat, model = rebuild_from_run(run)
    long_tokens = ["word%d" % i for i in range(300)]
    odd = ["𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀", "ﷺ", "e\u0301", "\u200b"]
    sents = [Sentence("empty", [], [], []), Sentence("long", long_tokens, [], []), Sentence("odd", odd, [], [])]
    out = predict(model, feat, sents, cfg["decode"], schema)
    assert out[0] == ([], [])
    for ents, rels in out[1:]:
        for s, e, _, p in ents:
            assert 0 <= s < e and 0.0 <= p <= 1.0
    assert all(e <= 300 for s, e, _, _ in out[1][0])
    enc = feat.encode(odd)
    assert all(len(c) >= 1 for c in enc["char_ids"])
    assert enc["char_ids"][0] == [1] * len("𝔘𝔫𝔦𝔠𝔬𝔡𝔢")  # unseen characters map to UNK, one id per code point


@pytest.mark.parametrize("word_table", ["int8", "fp16"])
def test_word_vectors_read_back_from_a_package(tiny_run, tmp_path, word_table):
    """encoder.vectors may name a wordchar package: its table comes back as the run's vectors (to the
    storage's rounding), and a new run trains on exactly those words and rows."""
    from erlens_train import package_vectors
    from erlens_train.build import rebuild_from_run
    cfg, run = tiny_run
    pkg = str(tmp_path / ("pkg-" + word_table))
    export_run(run, pkg, word_table=word_table)
    words, vecs = package_vectors.read(pkg)
    _, _, feat, model = rebuild_from_run(run)
    trained = model.encoder.word_emb.weight.detach()[2:]
    assert words == feat.words.words
    assert vecs.shape == trained.shape
    # int8: one scale per row, so each value is off by at most half a step of its row
    step = trained.abs().max(dim=1).values[:, None] / 127.0
    tolerance = step / 2 + 1e-6 if word_table == "int8" else trained.abs() * 1e-3 + 1e-6
    assert bool(((vecs - trained).abs() <= tolerance).all())

    again = dict(cfg, out=str(tmp_path / ("again-" + word_table)), epochs=1,
                 encoder=dict(cfg["encoder"], vectors=pkg))
    train(again, quiet=True)
    saved = torch.load(os.path.join(again["out"], "word_table.pt"))
    assert saved["words"] == words
    assert torch.equal(saved["vectors"], vecs)


def test_vectors_from_a_package_without_a_word_table_are_refused(tiny_workdir, tmp_path):
    folder = tmp_path / "not-wordchar"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps({"encoder": {"kind": "transformer"}}))
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], str(folder))
    with pytest.raises(ConfigError, match="only wordchar and hybrid packages carry a word table"):
        load_config(cfg)
    (folder / "model.json").write_text("{")
    with pytest.raises(ConfigError, match="not readable JSON"):
        load_config(cfg)


def test_ensemble_of_two_packages_is_one_graph_averaging_their_outputs(tiny_run, tmp_path):
    """erlens-train ensemble: one ONNX graph whose outputs are the mean of the members' (checked in ONNX
    Runtime on real inputs), loadable as any package; members that read other word ids are refused."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from erlens_train.ensemble import ensemble
    from erlens_train.export import example_batch
    from erlens_train.build import rebuild_from_run
    from erlens_train.data import load_jsonl
    cfg, run = tiny_run
    other = dict(cfg, out=str(tmp_path / "seed2"), seed=2, epochs=2)
    train(other, quiet=True)
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    export_run(run, a, package_id="tiny-a")
    export_run(other["out"], b, package_id="tiny-b")
    joined = ensemble([a, b], str(tmp_path / "ab"), package_id="tiny-ab")
    meta = json.load(open(os.path.join(joined, "model.json"), encoding="utf-8"))
    assert meta["id"] == "tiny-ab" and [m["id"] for m in meta["ensemble"]["members"]] == ["tiny-a", "tiny-b"]
    from erlens_train.card import write_card
    card = write_card(joined)
    assert card.startswith("# tiny-ab") and "- `tiny-a`: trained on" in card and "- `tiny-b`: trained on" in card

    _, _, feat, _ = rebuild_from_run(run)
    batch = example_batch(feat, [s.tokens for s in load_jsonl(cfg["dev"])[:4]])
    feeds = {k: v.numpy() for k, v in batch.items() if k in meta["inputs"]}
    run_graph = lambda folder: ort.InferenceSession(os.path.join(folder, "model.onnx")).run(None, feeds)
    out_a, out_b, out_ab = run_graph(a), run_graph(b), run_graph(joined)
    for x, y, xy in zip(out_a, out_b, out_ab):
        assert np.abs(x - y).max() > 1e-3  # the members differ, so the mean is no copy of either
        assert np.allclose(xy, (x + y) / 2, atol=1e-6)

    # identical weights are stored once (members trained on the same vectors share their word table)
    twice = ensemble([a, a], str(tmp_path / "aa"))
    size = lambda folder: os.path.getsize(os.path.join(folder, "model.onnx"))
    assert size(twice) < 1.1 * size(a)
    assert all(np.allclose(x, y, atol=1e-6) for x, y in zip(run_graph(twice), out_a))

    # an ensemble as a member is flattened: every leaf model weighs the same (a, b and a again: (2a + b) / 3)
    nested = ensemble([joined, a], str(tmp_path / "ab-a"), package_id="tiny-ab-a")
    nested_meta = json.load(open(os.path.join(nested, "model.json"), encoding="utf-8"))
    assert [m["id"] for m in nested_meta["ensemble"]["members"]] == ["tiny-a", "tiny-b", "tiny-a"]
    means = [n for n in onnx.load(os.path.join(nested, "model.onnx")).graph.node if n.op_type == "Mean"]
    assert len(means) == len(meta["outputs"]) and all(len(n.input) == 3 for n in means)
    for x, y, xyx in zip(out_a, out_b, run_graph(nested)):
        assert np.allclose(xyx, (2 * x + y) / 3, atol=1e-6)

    (tmp_path / "c").mkdir()
    for name in os.listdir(b):
        (tmp_path / "c" / name).write_bytes((tmp_path / "b" / name).read_bytes())
    (tmp_path / "c" / "vocab.words.txt").write_text("other\nwords\n", encoding="utf-8")
    with pytest.raises(ValueError, match="vocab.words.txt differ"):
        ensemble([a, str(tmp_path / "c")], str(tmp_path / "ac"))

    # one gazetteer input in the joined graph: members reading different name lists are refused
    for folder, names in (("ga", "aspirin\n"), ("gb", "ibuprofen\n")):
        (tmp_path / folder).mkdir()
        for name in os.listdir(a):
            (tmp_path / folder / name).write_bytes((tmp_path / "a" / name).read_bytes())
        m = json.loads((tmp_path / folder / "model.json").read_text(encoding="utf-8"))
        m["encoder"]["gazetteer"] = {"file": "gazetteer.txt"}
        (tmp_path / folder / "model.json").write_text(json.dumps(m), encoding="utf-8")
        (tmp_path / folder / "gazetteer.txt").write_text(names, encoding="utf-8")
    with pytest.raises(ValueError, match="gazetteers differ"):
        ensemble([str(tmp_path / "ga"), str(tmp_path / "gb")], str(tmp_path / "gab"))

    # one set of span rules in the joined package: a member exported with other (older) rules is refused
    (tmp_path / "rules").mkdir()
    for name in os.listdir(a):
        (tmp_path / "rules" / name).write_bytes((tmp_path / "a" / name).read_bytes())
    m = json.loads((tmp_path / "rules" / "model.json").read_text(encoding="utf-8"))
    m["span_trim"] = {"Peop": {"leading": ["mr"]}}
    (tmp_path / "rules" / "model.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(ValueError, match="differ in span_trim"):
        ensemble([a, str(tmp_path / "rules")], str(tmp_path / "arules"))

    # a package rewrite's count is claimed only when every member went through it, and then recounted
    from erlens_train.package_rewrite import half_weights, int8_weights
    a8 = int8_weights(half_weights(a, str(tmp_path / "a16")), str(tmp_path / "a8"))
    counted = lambda folder: json.load(open(os.path.join(folder, "model.json")))["graph"].get("int8_initializers")
    assert counted(ensemble([a8, b], str(tmp_path / "a8b"))) is None  # b's weights are fp32: not all counted
    both = ensemble([a8, a8], str(tmp_path / "a8a8"))
    assert counted(both) == counted(a8) > 0  # identical members: their int8 weights stored once


def test_half_weights_rewrites_a_package_smaller_with_the_same_outputs(tiny_run, tmp_path):
    """erlens-train half-weights: fp32 weights stored as fp16 (cast back in the graph), outputs within 1e-3 in
    ONNX Runtime, model.json's sha256 and the card's size line restated, the word table still readable as
    vectors; a package rewritten once is refused a second time."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    from erlens_train.build import rebuild_from_run
    from erlens_train.card import write_card
    from erlens_train.checksums import file_sha256
    from erlens_train.data import load_jsonl
    from erlens_train.export import example_batch
    from erlens_train.package_rewrite import half_weights
    from erlens_train import package_vectors
    cfg, run = tiny_run
    pkg, half = str(tmp_path / "pkg"), str(tmp_path / "half")
    export_run(run, pkg, word_table="int8")
    write_card(pkg)
    half_weights(pkg, half)
    meta = json.load(open(os.path.join(half, "model.json"), encoding="utf-8"))
    assert meta["graph"]["fp16_initializers"] > 0
    assert meta["graph"]["sha256"] == file_sha256(os.path.join(half, "model.onnx"))
    size = lambda folder: os.path.getsize(os.path.join(folder, "model.onnx"))
    assert size(half) < 0.8 * size(pkg)
    assert "stored as fp16" in open(os.path.join(half, "README.md"), encoding="utf-8").read()

    _, _, feat, _ = rebuild_from_run(run)
    batch = example_batch(feat, [s.tokens for s in load_jsonl(cfg["dev"])[:4]])
    def run_graph(folder):
        session = ort.InferenceSession(os.path.join(folder, "model.onnx"))
        return session.run(None, {i.name: batch[i.name].numpy() for i in session.get_inputs()})
    for x, y in zip(run_graph(pkg), run_graph(half)):
        assert np.abs(x - y).max() < 1e-3

    words, vecs = package_vectors.read(pkg)
    words_h, vecs_h = package_vectors.read(half)
    assert words == words_h and float((vecs - vecs_h).abs().max()) < 1e-2
    # the table still comes back after int8-weights and from an ensemble of two (members' names prefixed)
    from erlens_train.ensemble import ensemble
    from erlens_train.package_rewrite import int8_weights
    i8 = int8_weights(half, str(tmp_path / "i8"))
    joined = str(tmp_path / "joined")
    ensemble([pkg, half], joined)
    for folder in (i8, joined):
        words_r, vecs_r = package_vectors.read(folder)
        assert words_r == words and float((vecs - vecs_r).abs().max()) < 1e-2
    # an fp32 word table is a weight like any other to half-weights and int8-weights: codes [rows, d] times a
    # scale [rows, 1]
    fp32_table = str(tmp_path / "pkg-fp32")
    export_run(run, fp32_table, word_table="fp32")
    table_half = half_weights(fp32_table, str(tmp_path / "fp32-half"))
    table_i8 = int8_weights(table_half, str(tmp_path / "fp32-i8"))
    assert any(i.name == package_vectors.EMBEDDING + "__int8" for i in onnx.load(os.path.join(table_i8, "model.onnx")).graph.initializer)
    words_r, vecs_r = package_vectors.read(table_i8)
    _, halved = package_vectors.read(table_half)
    # each value within half a step of its row's int8 scale (the scale itself stored fp16)
    step = halved.abs().max(dim=1).values[:, None] / 127.0
    assert words_r == words and bool(((vecs_r - halved).abs() <= step / 2 * 1.01 + 1e-6).all())

    with pytest.raises(ValueError, match="fp16 already"):
        half_weights(half, str(tmp_path / "again"))
    with pytest.raises(ValueError, match="new folder"):
        half_weights(pkg, pkg)


def test_card_refresh_restates_the_measured_rows_and_keeps_the_rest(tiny_run, tmp_path):
    """erlens-train card --refresh: after a server-side decoding change, the ONNX row and the user view are
    re-measured, model.json's dev_scores.onnx follows, and the training part of the card (parity, PyTorch
    scores) stays as written; run twice, the note is not repeated."""
    from erlens_train.card import REFRESHED, USER_VIEW_HEADING, refresh_card, write_card
    _, run = tiny_run
    pkg = str(tmp_path / "pkg")
    export_run(run, pkg, package_id="tiny-r")
    old = {"headline": {"ner_micro": 11.0, "re_micro": 12.0, "ner_macro": 13.0, "re_macro": 14.0}}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    write_card(pkg, str(tmp_path / "old.json"))
    before = open(os.path.join(pkg, "README.md"), encoding="utf-8").read()
    assert "| 11.00 | 12.00 | 13.00 | 14.00 |" in before

    new = {"headline": {"ner_micro": 21.5, "re_micro": 22.25, "ner_macro": 23.0, "re_macro": 24.0}}
    (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
    row = lambda text: next(line for line in text.split("\n") if line.startswith("| ONNX package"))
    view = {"rows": [{"id": "tiny-r", "averaging": "micro",
                      **{layout: {"ner_micro": 30.0, "re_micro": 31.0, "relations_per_100": 5.0}
                         for layout in ("tokens", "lines", "paragraphs")}}],
            "notes_gold": {"models": [{"id": "tiny-r"}], "drug_strict": {"precision": 0.9, "recall": 0.8, "f1": 0.85},
                           "adverse_effect_relations_per_100": 0, "other_entities_per_100": 1.0}}
    (tmp_path / "fidelity.json").write_text(json.dumps(view), encoding="utf-8")
    for _ in range(2):
        after = refresh_card(pkg, str(tmp_path / "new.json"), str(tmp_path / "fidelity.json"))
    assert row(after) == "| ONNX package (`erlens eval`) | 21.50 | 22.25 | 23.00 | 24.00 |"
    assert after.count(REFRESHED) == 1 and after.count(USER_VIEW_HEADING) == 1
    assert "| raw text, one sentence per line | 30.00 | 31.00 | 5.00 |" in after
    assert "Drug strict precision 90.00, recall 80.00" in after  # fidelity's models are objects with an id
    kept = [line for line in before.split("\n") if line.startswith("| PyTorch") or line.startswith("- Parity")]
    assert kept and all(line in after for line in kept)
    meta = json.load(open(os.path.join(pkg, "model.json"), encoding="utf-8"))
    assert meta["dev_scores"]["onnx"]["re_micro"] == 22.25
