"""The gazetteer feature: the drug dictionary read from its installed package, and a tiny model trained
and exported with a gazetteer of its own (ONNX parity through onnxruntime-node, the server's runtime)."""
import json
import os

import pytest

from erlens_train import gazetteer, package_files
from erlens_train.config import ConfigError, load_config
from erlens_train.export import export_run
from erlens_train.tiny import tiny_config
from erlens_train.train import train
from test_train_export import run_parity


def test_drug_dictionary_has_brands_and_classes_but_no_common_words():
    pytest.importorskip("drug_named_entity_recognition")
    g = gazetteer.build({"source": "drug-named-entity-recognition"})
    assert len(g) > 50_000
    words = "Claritin , Enablex and antibiotics at 10 ; Ancef given . Dr. XYZ at ABC".split()
    tags = g.tags(words)
    found = [w for w, t in zip(words, tags) if t == gazetteer.BEGIN]
    assert found == ["Claritin", "Enablex", "antibiotics", "Ancef"], found


def test_a_single_letter_at_the_edge_of_a_name_stays_in_the_entry():
    """ADE annotates "amphotericin B" and "L-asparaginase" whole: the feature must mark them whole too."""
    pytest.importorskip("drug_named_entity_recognition")
    g = gazetteer.build({"source": "drug-named-entity-recognition"})
    words = "amphotericin B and L - asparaginase , mitomycin C , a dose of vitamin D at 10".split()
    assert [" ".join(words[a:b]) for a, b in g.spans(words)] == [
        "amphotericin B", "L - asparaginase", "mitomycin C", "vitamin D"]


def test_edge_words_of_one_or_two_letters():
    stop = {"of"}
    assert gazetteer._useful(["amphotericin", "B"], stop) and gazetteer._useful(["L", "-", "dopa"], stop)
    assert not gazetteer._useful(["B"], stop) and not gazetteer._useful(["pp"], stop)
    assert not gazetteer._useful(["at", "10"], stop) and not gazetteer._useful(["dose", "of"], stop)


def test_exclude_and_name_files(tmp_path):
    names = tmp_path / "formulary.txt"
    names.write_text("# our formulary\nOrtho Tri-Cyclen\nnormal saline\nsaline\n", encoding="utf-8")
    g = gazetteer.build({"path": str(names), "exclude": ["Saline"]})
    assert g.tags(["Ortho", "Tri", "-", "Cyclen", "and", "saline", "or", "normal", "saline"]) == [2, 3, 3, 3, 1, 1, 1, 2, 3]


def test_config_refuses_a_gazetteer_without_source_or_dim(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      gazetteer={"source": "no-such-list", "dim": 8})
    with pytest.raises(ConfigError, match="gazetteer"):
        load_config(cfg)
    cfg["encoder"]["gazetteer"] = {"source": "drug-named-entity-recognition", "dim": 0}
    with pytest.raises(ConfigError, match="gazetteer"):
        load_config(cfg)


def test_tiny_model_with_a_gazetteer_exports_with_parity(tiny_workdir, tmp_path):
    # the tiny CoNLL04 sentences' people and places as a name list: the feature fires on real words
    sentences = []
    for split in ("train", "dev"):
        with open(tiny_workdir[split], encoding="utf-8") as f:
            sentences += [json.loads(line) for line in f]
    names = sorted({" ".join(s["tokens"][e["start"]:e["end"]]) for s in sentences for e in s["entities"]})
    name_file = tmp_path / "names.txt"
    name_file.write_text("\n".join(names) + "\n", encoding="utf-8")
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=2, gazetteer={"path": str(name_file), "dim": 4})
    cfg["out"] = str(tmp_path / "run")
    run = train(cfg, quiet=True)
    pkg, parity = str(tmp_path / "pkg"), str(tmp_path / "parity.json")
    export_run(run, pkg, package_id="tiny-gazetteer", word_table="fp32", parity_path=parity)
    meta = json.load(open(os.path.join(pkg, "model.json"), encoding="utf-8"))
    assert meta["inputs"][-1] == "gazetteer_ids"
    assert meta["encoder"]["gazetteer"]["file"] == gazetteer.PACKAGE_FILE == "gazetteer.txt.gz"  # gzip in a package
    shipped = gazetteer.Gazetteer.from_text(package_files.read_text(pkg, gazetteer.PACKAGE_FILE))
    assert meta["encoder"]["gazetteer"]["entries"] == len(shipped)
    assert shipped.entries == gazetteer.Gazetteer.from_file(os.path.join(run, gazetteer.FILE)).entries
    with open(parity, encoding="utf-8") as f:
        fed = json.load(f)["inputs"]["gazetteer_ids"]
    assert any(2 in row for row in fed)  # the parity batch really carries matches
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4, result
    assert result["max_abs_diff_single"] < 1e-4, result


def test_gazetteer_dropout_hides_whole_matches_and_copies():
    from erlens_train.augment import drop_gazetteer_matches
    enc = {"gazetteer_ids": [1, 2, 3, 3, 1, 2, 2, 3]}
    out = drop_gazetteer_matches([(None, enc)] * 200, 0.5, seed=3)
    assert enc["gazetteer_ids"] == [1, 2, 3, 3, 1, 2, 2, 3]  # the cached encoding is not touched
    seen = {tuple(e["gazetteer_ids"]) for _, e in out}
    for ids in seen:
        # a match is hidden whole or kept whole: never a lone 3 after an outside word
        assert all(not (b == 3 and a == 1) for a, b in zip(ids, ids[1:])), ids
    assert (1, 2, 3, 3, 1, 2, 2, 3) in seen and (1, 1, 1, 1, 1, 1, 1, 1) in seen and len(seen) == 8
    assert drop_gazetteer_matches([(None, enc)], 0.0, seed=3)[0][1] is enc


def test_unannotated_listed_spans_do_not_train():
    """A span the gazetteer lists but the source left unannotated: its entity cells drop out of the loss,
    everything else of the sentence still trains (and keeps doing so in a run-on join)."""
    from erlens_train.architectures.table_targets import make_table_targets
    from erlens_train.augment import join
    from erlens_train.data import Schema, Sentence
    g = gazetteer.Gazetteer([["antibiotics"], ["warfarin"]])
    s = Sentence("a", ["warfarin", "and", "antibiotics", "interact"], [(0, 1, "Drug")], [])
    annotated = {(a, b) for a, b, _ in s.entities}
    s.unknown_spans = tuple(sp for sp in g.spans(s.tokens) if sp not in annotated)
    assert s.unknown_spans == ((2, 3),)
    schema = Schema.from_sentences([s], [])
    t = make_table_targets([s], schema, 4)
    assert t["ent_mask"][0, 2, 2, 0] == 0.0  # "antibiotics": unknown
    assert t["ent_mask"][0, 0, 0, 0] == 1.0 and t["ent"][0, 0, 0, 0] == 1.0  # "warfarin": a positive
    assert t["ent_mask"][0, 1, 1, 0] == 1.0 and t["ent_mask"][0, 2, 3, 0] == 1.0  # the rest: negatives
    other = Sentence("b", ["no", "drug"], [], [])
    assert join(other, s).unknown_spans == ((4, 5),)
