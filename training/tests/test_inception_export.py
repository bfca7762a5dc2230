"""ERlens' INCEpTION export (`erlens extract --format inception`, server/src/export/uimaCas.ts) read back by
DKPro Cassis, the UIMA CAS library of the INCEpTION team: the file loads as a CAS (UIMA JSON CAS 0.4.0),
its text is the document's, and its named entities and relations are exactly those of the JSON export of
the same run, offsets included (UIMA counts UTF-16 units; cassis converts them to code points)."""
import json
import os
import subprocess

import pytest

from conftest import REPO_ROOT

cassis = pytest.importorskip("cassis")
TINY = os.path.join(REPO_ROOT, "test", "fixtures", "models", "tiny-mge")


def extract(args):
    out = subprocess.run(["node", os.path.join(REPO_ROOT, "bin", "erlens"), "extract", *args, "--model", TINY],
                         capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_inception_export_loads_in_cassis_with_the_same_entities_and_relations(conll_train, tmp_path):
    # sentences the tiny model memorised, after a line with an emoji (UTF-16 and code points differ)
    text = "Notes 😀 from the wire.\n\n" + "\n\n".join(" ".join(s.tokens) for s in conll_train[:8]) + "\n"
    doc = tmp_path / "wire.md"
    doc.write_text(text, encoding="utf-8")
    exported = json.loads(extract([str(doc), "--format", "json"]))["documents"][0]
    assert exported["relations"], "the tiny model finds relations here (else the test proves little)"
    extract([str(doc), "--format", "inception", "--out", str(tmp_path / "inception")])

    with open(tmp_path / "inception" / "wire.cas.json", encoding="utf-8") as f:
        cas = cassis.load_cas_from_json(f)
    assert cas.sofa_string == text
    entity_type = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
    entities = sorted((e.begin, e.end, e.value, e.get_covered_text()) for e in cas.select(entity_type))
    # cassis offsets are code points, the JSON export's startCodePoint/endCodePoint
    assert entities == sorted((e["startCodePoint"], e["endCodePoint"], e["type"], e["text"]) for e in exported["entities"])
    relations = sorted((r.Governor.get_covered_text(), r.label, r.Dependent.get_covered_text(), r.assertion)
                       for r in cas.select("webanno.custom.Relation"))
    ents = exported["entities"]
    assert relations == sorted((ents[r["head"]]["text"], r["type"], ents[r["tail"]]["text"], r["assertion"])
                               for r in exported["relations"])
    sentences = list(cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"))
    tokens = list(cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"))
    assert len(sentences) >= 9 and len(tokens) > len(sentences)
    for e in cas.select(entity_type):  # every entity lies on token edges, as INCEpTION's editor needs
        assert any(t.begin == e.begin for t in tokens) and any(t.end == e.end for t in tokens)
