"""The Python side of the specs in spec/: the TypeScript side is tested on the same files."""
import json

import pytest

from conftest import load_fixture
from erlens_train.data import Schema, parse_sentence
from erlens_train.decode_span_table import decode_span_table
from erlens_train.featurize import WordCharFeaturizer, WordPieceFeaturizer
from erlens_train.metrics import headline, score
from erlens_train.wordtok import words

FEAT = load_fixture("featurizer.json")


@pytest.mark.parametrize("case", FEAT["wordchar"]["cases"], ids=lambda c: c["token"])
def test_wordchar_featurizer(case):
    spec = FEAT["wordchar"]
    f = WordCharFeaturizer(spec["words"], spec["chars"], spec["max_chars"])
    enc = f.encode([case["token"]])
    assert enc["input_ids"] == [case["word_id"]]
    assert enc["char_ids"] == [case["char_ids"]]
    assert enc["word_first_subword"] == [0]


@pytest.mark.parametrize("case", FEAT["wordpiece"]["sentences"], ids=lambda c: " ".join(c["tokens"]))
def test_wordpiece_featurizer(case):
    spec = FEAT["wordpiece"]
    f = WordPieceFeaturizer.from_vocab({t: i for i, t in enumerate(spec["vocab"])}, spec["lowercase"])
    enc = f.encode(case["tokens"])
    assert enc["input_ids"] == case["input_ids"]
    assert enc["word_first_subword"] == case["word_first_subword"]


def test_wordpiece_refuses_sentences_over_the_window():
    spec = FEAT["wordpiece"]
    f = WordPieceFeaturizer.from_vocab({t: i for i, t in enumerate(spec["vocab"])}, max_subwords=6)
    with pytest.raises(ValueError, match="window"):
        f.encode(["The", "patient", "took", "aspirin", "."])


def _dense(cells, n, k):
    t = [[[0.0] * k for _ in range(n)] for _ in range(n)]
    for i, j, c, p in cells:
        t[i][j][c] = p
    return t


@pytest.mark.parametrize("policy", ["all", "best"])
def test_table_decoder(policy):
    fx = load_fixture("span-table-decoder.json")
    schema = Schema(fx["entity_types"], fx["relation_types"], fx["symmetric_relations"])
    n = fx["n_words"]
    ents, rels = decode_span_table(_dense(fx["ent_cells"], n, len(schema.entity_types)),
                               _dense(fx["rel_cells"], n, len(schema.relation_types)), n, schema,
                               fx["thresholds"]["entity"], fx["thresholds"]["relation"], policy)
    assert [list(e) for e in ents] == fx["expected"]["entities"]
    assert [list(r) for r in rels] == fx["expected"][policy]


def test_table_decoder_per_type_entity_thresholds():
    fx = load_fixture("span-table-decoder.json")
    schema = Schema(fx["entity_types"], fx["relation_types"], fx["symmetric_relations"])
    n, case = fx["n_words"], fx["by_type"]
    th = case["thresholds"]
    ents, rels = decode_span_table(_dense(fx["ent_cells"], n, len(schema.entity_types)),
                                   _dense(fx["rel_cells"], n, len(schema.relation_types)), n, schema,
                                   th["entity"], th["relation"], case["pair_policy"], th["entity_by_type"])
    assert [list(e) for e in ents] == case["entities"]
    assert [list(r) for r in rels] == case["relations"]


@pytest.mark.parametrize("case_name", ["same_type_overlap", "same_span_types"])
@pytest.mark.parametrize("policy", ["all", "best"])
def test_table_decoder_keeps_one_of_overlapping_spans_of_a_type_and_one_type_per_span(policy, case_name):
    fx = load_fixture("span-table-decoder.json")
    schema = Schema(fx["entity_types"], fx["relation_types"], fx["symmetric_relations"])
    n, case = fx["n_words"], fx[case_name]
    ents, rels = decode_span_table(_dense(case["ent_cells"], n, len(schema.entity_types)),
                                   _dense(case["rel_cells"], n, len(schema.relation_types)), n, schema,
                                   fx["thresholds"]["entity"], fx["thresholds"]["relation"], policy)
    assert [list(e) for e in ents] == case["entities"]
    assert [list(r) for r in rels] == case[policy]


def test_table_decoder_on_a_one_word_sentence_and_empty_tables():
    schema = Schema(["Drug"], ["Adverse"])
    assert decode_span_table([[[0.9]]], [[[0.9]]], 1, schema) == ([(0, 1, "Drug", 0.9)], [])
    assert decode_span_table([], [], 0, schema) == ([], [])


def test_metrics_fixture():
    fx = load_fixture("metrics.json")

    def sent(d, tokens):
        return parse_sentence({"tokens": tokens,
                               "entities": [{"start": s, "end": e, "type": t} for s, e, t in d["entities"]],
                               "relations": [{"head": h, "tail": t, "type": r} for h, t, r in d["relations"]]})

    gold = [sent(g, g["tokens"]) for g in fx["gold"]]
    preds = []
    for p, g in zip(fx["predicted"], fx["gold"]):
        ents = [tuple(e) for e in p["entities"]]
        rels = [(tuple(p["entities"][h]), r, tuple(p["entities"][t])) for h, t, r in p["relations"]]
        preds.append((ents, rels))
    rep = score(gold, preds)
    exp = fx["expected"]
    m = rep["ner"]["micro"]
    assert (m["tp"], m["fp"], m["fn"]) == (exp["ner"]["tp"], exp["ner"]["fp"], exp["ner"]["fn"])
    assert m["f1"] == pytest.approx(exp["ner"]["micro_f1"])
    assert rep["ner"]["macro_f1"] == pytest.approx(exp["ner"]["macro_f1"])
    for t, f1 in exp["ner"]["per_type_f1"].items():
        assert rep["ner"]["per_type"][t]["f1"] == pytest.approx(f1)
    r = rep["re_strict"]["micro"]
    assert (r["tp"], r["fp"], r["fn"]) == (exp["re_strict"]["tp"], exp["re_strict"]["fp"], exp["re_strict"]["fn"])
    assert r["f1"] == pytest.approx(exp["re_strict"]["micro_f1"])
    assert rep["re_boundary"]["micro"]["f1"] == pytest.approx(exp["re_boundary"]["micro_f1"])
    h = headline(rep)
    line = "ner_micro=%.2f re_micro=%.2f ner_macro=%.2f re_macro=%.2f" % (
        h["ner_micro"], h["re_micro"], h["ner_macro"], h["re_macro"])
    assert line == exp["headline"]


@pytest.mark.parametrize("case", load_fixture("word-tokenizer.json")["cases"], ids=lambda c: c["text"][:30])
def test_word_tokenizer(case):
    assert words(case["text"]) == case["tokens"]


def test_tag_table_decoder_fixture():
    from erlens_train.decode_tag_table import decode_tag_table
    fx = load_fixture("tag-table-decoder.json")
    schema = Schema(fx["entity_types"], fx["relation_types"])
    for case in fx["cases"]:
        ents, rels = decode_tag_table(case["tag_probs"], case["table_probs"], case["n_words"], schema,
                                      case["tagging"], case["relation_cells"])
        assert [list(e) for e in ents] == case["expected"]["entities"], case["name"]
        assert [list(r) for r in rels] == case["expected"]["relations"], case["name"]
    assert {c["tagging"] for c in fx["cases"]} == {"BIO", "BILOU"}


def test_span_pairs_decoder_fixture():
    from erlens_train.decode_span_pairs import decode_pairs, decode_spans, pair_index
    fx = load_fixture("span-pairs-decoder.json")
    schema = Schema(fx["entity_types"], fx["relation_types"])
    for case in fx["cases"]:
        probs = {tuple(p["pair"]): p["probs"] for p in case["pair_probs"]}
        for exp in case["expected"]:
            ents = decode_spans(case["span_probs"], case["n_words"], schema, exp["suppress_overlaps"])
            assert pair_index(ents) == exp["pair_index"], case["name"]
            rels = decode_pairs(ents, [probs[tuple(p)] for p in pair_index(ents)], schema, exp["rel_threshold"])
            assert [list(e) for e in ents] == exp["entities"], case["name"]
            assert [list(r) for r in rels] == exp["relations"], case["name"]


def test_fixture_generator_reproduces_the_committed_fixtures(tmp_path):
    """The fixtures are the Python decoders' output; regenerate and compare, so they never drift."""
    from erlens_train.decoder_fixtures import write
    for name in write(str(tmp_path)):
        assert json.load(open(tmp_path / name, encoding="utf-8")) == load_fixture(name), name


@pytest.mark.parametrize("case", load_fixture("span-trim.json")["cases"], ids=lambda c: " ".join(c["words"]))
def test_span_trim(case):
    from erlens_train.span_trim import trim_spans
    trim = load_fixture("span-trim.json")["trim"]
    ents, rels = trim_spans([tuple(e) for e in case["entities"]], [tuple(r) for r in case["relations"]], case["words"], trim)
    assert [list(e) for e in ents] == case["expect_entities"]
    assert [list(r) for r in rels] == case["expect_relations"]


@pytest.mark.parametrize("case", FEAT["gazetteer"]["cases"], ids=lambda c: " ".join(c["tokens"]) or "empty")
def test_gazetteer_tags(case):
    from erlens_train.gazetteer import Gazetteer
    g = Gazetteer.from_text("".join(e + "\n" for e in FEAT["gazetteer"]["entries"]))
    assert g.tags(case["tokens"]) == case["ids"]
    # the package file reads back to the same entries
    assert Gazetteer.from_text(g.file_text()).entries == g.entries
