"""Training on the final data: re-tokenisation by the server's tokenizer, several sources that
annotate different labels, the loss that does not punish what a source does not annotate, watch
sets and the selection score, relation argument-type constraints."""
import json
import os

import pytest
import torch

from conftest import SHARED, load_fixture
from erlens_train.architectures.table_targets import make_table_targets, table_loss
from erlens_train.config import ConfigError, load_config
from erlens_train.data import Schema, Sentence, load_jsonl, parse_sentence
from erlens_train.constraints import constrain
from erlens_train.detokenize import detokenize
from erlens_train.retokenize import retokenize
from erlens_train.sources import Coverage, Source, epoch_indices, map_types
from erlens_train.tiny import tiny_config
from erlens_train.train import train


@pytest.mark.parametrize("case", load_fixture("detokenize.json")["cases"], ids=lambda c: c["text"][:30])
def test_detokenizer_matches_the_shared_fixture(case):
    text, spans = detokenize(case["tokens"])
    assert text == case["text"]
    assert [list(s) for s in spans] == case["spans"]


def test_retokenize_keeps_gold_characters_and_splits_compounds():
    s = parse_sentence({"tokens": ["Gemcitabine", "-", "induced", "pneumonitis", "in", "a", "53-year", "-", "old", "man", "."],
                        "entities": [{"type": "Drug", "start": 0, "end": 1}, {"type": "Adverse-Effect", "start": 3, "end": 4}],
                        "relations": [{"type": "Adverse-Effect", "head": 1, "tail": 0}]})
    new, lost = retokenize(s)
    assert new.text == "Gemcitabine-induced pneumonitis in a 53-year-old man."
    assert new.tokens[:3] == ["Gemcitabine", "-", "induced"]
    assert new.tokens[6:11] == ["53", "-", "year", "-", "old"]
    assert [(new.tokens[a], t) for a, b, t in new.entities] == [("Gemcitabine", "Drug"), ("pneumonitis", "Adverse-Effect")]
    assert new.relations == [(1, 0, "Adverse-Effect")]
    assert lost == []


def test_a_glued_sentence_final_period_is_not_part_of_the_entity():
    s = parse_sentence({"tokens": ["Fighting", "spread", "in", "Kosovo."], "entities": [{"type": "Loc", "start": 3, "end": 4}]})
    new, lost = retokenize(s)
    assert new.tokens == ["Fighting", "spread", "in", "Kosovo", "."]
    assert new.entities == [(3, 4, "Loc")] and lost == []


def test_an_unrepresentable_gold_entity_is_reported_and_its_relations_dropped():
    # the gold tokens cut "U.S" from its period; the tokenizer keeps "U.S." whole
    s = parse_sentence({"tokens": ["He", "left", "the", "U.S", ".", "for", "Paris"],
                        "entities": [{"type": "Loc", "start": 3, "end": 4}, {"type": "Loc", "start": 6, "end": 7}],
                        "relations": [{"type": "Located_In", "head": 1, "tail": 0}]})
    new, lost = retokenize(s)
    assert lost == [(12, 15, "Loc", "U.S")]  # "He left the U.S. for Paris"
    assert [(new.tokens[a], t) for a, b, t in new.entities] == [("Paris", "Loc")]
    assert new.relations == []


def test_a_line_with_text_is_tokenised_from_its_own_text():
    row = json.loads(open(os.path.join(SHARED, "data", "ade_neg", "dev.jsonl"), encoding="utf-8").readline())
    s = parse_sentence(row)
    new, _ = retokenize(s, s.text)
    assert new.text == row["text"]
    assert " ".join(new.tokens).replace(" ", "") == row["text"].replace(" ", "")


def test_type_maps_rename_merge_and_drop():
    s = parse_sentence({"tokens": ["aspirin", "and", "Coumadin", "interact"],
                        "entities": [{"type": "drug", "start": 0, "end": 1}, {"type": "brand", "start": 2, "end": 3},
                                     {"type": "drug", "start": 2, "end": 3}],
                        "relations": [{"type": "effect", "head": 0, "tail": 1}]})
    m = map_types(s, {"drug": "Drug", "brand": "Drug"}, {})
    assert m.entities == [(0, 1, "Drug"), (2, 3, "Drug")]
    assert m.relations == []


def test_dropped_mentions_become_plain_words(tmp_path):
    path = tmp_path / "ddi.jsonl"
    path.write_text(json.dumps({"tokens": ["Alcohol", "and", "warfarin", "interact"],
                                "entities": [{"type": "drug", "start": 0, "end": 1}, {"type": "drug", "start": 2, "end": 3}],
                                "relations": [{"type": "effect", "head": 0, "tail": 1}]}) + "\n")
    src = Source({"path": str(path), "entity_types": {"drug": "Drug"}, "drop_mentions": ["alcohol"]}, str)
    [s] = src.load()
    assert s.entities == [(2, 3, "Drug")] and s.relations == []


def test_coverage_modes_are_checked():
    with pytest.raises(ValueError, match="annotation mode"):
        Coverage({"Drug": "sometimes"})
    assert Coverage({"Drug": "positive"}).entity_mode("Adverse-Effect") == "all"


def test_per_epoch_draws_change_with_the_epoch_and_stay_in_their_source(tmp_path):
    a = Source({"path": "a"}, str)
    b = Source({"path": "b", "per_epoch": 3}, str)
    e0, e1 = epoch_indices([a, b], [4, 10], 0), epoch_indices([a, b], [4, 10], 1)
    assert e0[:4] == [0, 1, 2, 3] and len(e0) == 7
    assert all(4 <= i < 14 for i in e0[4:])
    assert e0 != e1
    assert epoch_indices([a, b], [4, 10], 0) == e0  # seeded


def _schema():
    return Schema(["Adverse-Effect", "Drug"], ["Adverse-Effect"])


def _loss_grads(sentence, n=4):
    schema = _schema()
    ent = torch.zeros(1, n, n, 2, requires_grad=True)
    rel = torch.zeros(1, n, n, 1, requires_grad=True)
    targets = make_table_targets([sentence], schema, n)
    table_loss(ent, rel, targets, torch.ones(1, n, dtype=torch.long)).backward()
    return ent.grad[0], rel.grad[0]


def test_a_label_a_source_does_not_annotate_gets_no_gradient():
    s = Sentence("ddi", ["aspirin", "causes", "rash", "."], [(0, 1, "Drug")], [])
    s.coverage = Coverage({"Drug": "all", "Adverse-Effect": "none"}, "none")
    ent, rel = _loss_grads(s)
    assert ent[..., 0].abs().sum() == 0, "Adverse-Effect cells of a DDI sentence must not train"
    assert rel.abs().sum() == 0, "relation cells of a DDI sentence must not train"
    assert ent[0, 0, 1] < 0, "the annotated drug is pushed up"
    assert ent[2, 2, 1] > 0, "an unannotated word is a Drug negative where drugs are fully annotated"


def test_a_partly_annotated_label_trains_only_its_positives():
    s = Sentence("ade", ["aspirin", "causes", "rash", "."], [(2, 3, "Adverse-Effect"), (0, 1, "Drug")], [(0, 1, "Adverse-Effect")])
    s.coverage = Coverage({"Drug": "positive"}, "all")
    ent, rel = _loss_grads(s)
    assert ent[0, 0, 1] < 0, "the annotated drug trains"
    assert ent[1, 1, 1] == 0 and ent[3, 3, 1] == 0, "unannotated words are not Drug negatives in ADE"
    assert ent[1, 1, 0] > 0, "Adverse-Effect is annotated fully: other cells are negatives"
    assert rel[2, 0, 0] < 0 and rel[1, 0, 0] > 0


def test_relations_outside_the_trained_argument_types_are_dropped():
    schema = Schema.from_sentences([Sentence("x", ["a", "b"], [(0, 1, "Adverse-Effect"), (1, 2, "Drug")], [(0, 1, "Adverse-Effect")])])
    assert schema.relation_arguments == {"Adverse-Effect": [["Adverse-Effect", "Drug"]]}
    ents = [(0, 1, "Drug", 0.9), (1, 2, "Adverse-Effect", 0.9)]
    rels = [(1, 0, "Adverse-Effect", 0.8), (0, 1, "Adverse-Effect", 0.8)]
    assert constrain(ents, rels, schema)[1] == [(1, 0, "Adverse-Effect", 0.8)]
    assert Schema.from_json(schema.to_json()).relation_arguments == schema.relation_arguments


def test_partial_sources_are_refused_for_heads_that_cannot_mask(tiny_workdir):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"], epochs=1)
    cfg["train"] = [{"path": tiny_workdir["train"], "annotates": {"entities": {"Peop": "positive"}}}]
    load_config(cfg)  # mge masks
    with pytest.raises(ConfigError, match="span-table"):
        load_config(dict(cfg, architecture="tablert-cnn"))


def test_two_sources_with_watch_sets_train_and_select(tiny_workdir, conll_train):
    """A fully annotated source, a 'negatives' source that annotates only relations, a watch set
    scored on one type: the run trains, logs every set, and the selection score is the mean."""
    neg = os.path.join(tiny_workdir["dir"], "neg.jsonl")
    with open(neg, "w", encoding="utf-8") as f:
        for s in conll_train[40:60]:
            f.write(json.dumps({"tokens": s.tokens, "entities": [], "relations": []}) + "\n")
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"], epochs=2)
    cfg.update(out=os.path.join(tiny_workdir["dir"], "mixed"),
               train=[tiny_workdir["train"],
                      {"path": neg, "name": "neg", "per_epoch": 8,
                       "annotates": {"entities": {t: "positive" for t in ("Peop", "Loc", "Org", "Other")}, "relations": "all"}}],
               watch=[{"name": "neg", "path": neg}, {"name": "peop", "path": tiny_workdir["dev"], "scored": {"entities": ["Peop"], "relations": False}}],
               selection=[{"set": "dev", "metric": "ner_micro"}, {"set": "neg", "metric": "quiet"}])
    run = train(cfg, quiet=True)
    log = [json.loads(l) for l in open(os.path.join(run, "log.jsonl"), encoding="utf-8")]
    retok = [r for r in log if r.get("event") == "retokenized"]
    assert [r["source"] for r in retok] == [tiny_workdir["train"], "neg"]
    start = next(r for r in log if r.get("event") == "start")
    assert start["steps_per_epoch"] == -(-(20 + 8) // cfg["batch_size"])
    epochs = [r for r in log if r.get("event") == "epoch"]
    assert set(epochs[-1]["watch"]) == {"neg", "peop"}
    last = epochs[-1]
    expected = (last["dev"]["ner_micro"] + max(0.0, 100 - last["watch"]["neg"]["rel_per_100"])) / 2
    assert abs(last["dev_selection"] - expected) < 0.01
    rep = json.load(open(os.path.join(run, "dev_report.json"), encoding="utf-8"))
    peop = rep["watch"]["peop"]
    assert set(peop["ner"]["per_type"]) <= {"Peop"}, "only Peop is scored on that watch set"
    assert peop["re_strict"]["micro"]["tp"] + peop["re_strict"]["micro"]["fn"] + peop["re_strict"]["micro"]["fp"] == 0
    assert peop["ner"]["micro"]["tp"] + peop["ner"]["micro"]["fn"] > 0


def test_run_on_examples_join_two_sentences_of_one_source_without_cross_relations():
    from erlens_train.augment import join, run_ons
    a = Sentence("a", ["Smith", "lives", "in", "Rome", "."], [(0, 1, "Peop"), (3, 4, "Loc")], [(0, 1, "Live_In")])
    b = Sentence("b", ["Jones", "works", "for", "IBM"], [(0, 1, "Peop"), (3, 4, "Org")], [(0, 1, "Work_For")])
    j = join(a, b)
    assert j.tokens == a.tokens + b.tokens
    assert j.entities == [(0, 1, "Peop"), (3, 4, "Loc"), (5, 6, "Peop"), (8, 9, "Org")]
    assert j.relations == [(0, 1, "Live_In"), (2, 3, "Work_For")]
    enc = lambda toks: {"n_subwords": len(toks)}
    examples = [(a, enc(a.tokens)), (b, enc(b.tokens)), (a, enc(a.tokens))]
    assert run_ons(examples, [0, 0, 1], 0.0, 1, enc) == examples
    joined = run_ons(examples, [0, 0, 1], 1.0, 1, enc)
    assert len(joined) == 3
    assert joined[2] == examples[2], "the only sentence of its source has no partner"
    assert [s.id for s, _ in joined[:2]] == ["a+b", "b+a"]
    assert joined[0][1] == {"n_subwords": 9}
    assert run_ons(examples, [0, 0, 1], 1.0, 1, enc)[0][0].id == joined[0][0].id, "seeded"


def test_text_watch_sets_are_tokenised_by_the_server_tokenizer(tmp_path):
    from erlens_train.eval_sets import EvalSet, load_text_jsonl
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "s1", "text": "Her only medication is Ortho Tri-Cyclen and the Allegra.",
                                "entities": [{"start": 23, "end": 39, "type": "Drug"}, {"start": 48, "end": 55, "type": "Drug"},
                                             {"start": 24, "end": 30, "type": "Drug"}]}) + "\n")
    [s] = load_text_jsonl(str(path))
    assert [" ".join(s.tokens[a:b]) for a, b, _ in s.entities] == ["Ortho Tri - Cyclen", "Allegra"], "off-boundary gold stays out"
    es = EvalSet("notes", [s], ["Drug", "Adverse-Effect"], True)
    rep = es.report([([(7, 8, "Drug"), (0, 1, "Adverse-Effect")], [((0, 1, "Adverse-Effect"), "Adverse-Effect", (7, 8, "Drug"))])])
    assert rep["ner"]["micro"]["tp"] == 0 and rep["ner"]["micro"]["fp"] == 2 and rep["ner"]["micro"]["fn"] == 2
    assert rep["predicted_relations_per_100"] == 100.0
