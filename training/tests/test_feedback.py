"""Editor corrections as training data: a tiny model fine-tuned from its run on a feedback file predicts
the corrected sentence as the user corrected it."""
import json
import os

import pytest

from erlens_train.build import rebuild_from_run
from erlens_train.data import DataError, parse_sentence
from erlens_train.feedback import merged_feedback
from erlens_train.predict import predict
from erlens_train.tiny import tiny_config
from erlens_train.train import train


def record(sentence, entities, relations, correction):
    """A line as the language server writes it (server/src/corrections/feedbackRecord.ts)."""
    return {"id": "feedback-" + sentence["id"], "text": " ".join(sentence["tokens"]), "tokens": sentence["tokens"],
            "entities": entities, "relations": relations, "prediction": {"entities": [], "relations": []},
            "correction": correction, "time": "2026-12-02T00:00:00.000Z"}


def entity_set(entities):
    return {tuple(e[:3]) for e in entities}  # predictions carry a score after (start, end, type)


def test_a_corrected_sentence_is_predicted_as_corrected_after_fine_tuning(tiny_workdir, tmp_path):
    # dev = train: the checkpoint kept is the one that knows the training sentences best
    base = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["train"], tiny_workdir["vectors"], epochs=60)
    base["out"] = str(tmp_path / "base")
    base_run = train(base, quiet=True)
    cfg, schema, feat, model = rebuild_from_run(base_run)
    with open(tiny_workdir["train"], encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    sentences = [parse_sentence(obj) for obj in lines]
    predicted = predict(model, feat, sentences, cfg["decode"], schema)
    # A sentence the base model gets exactly right, with two or more entities: the user says the first is not one.
    k = next(i for i, (s, p) in enumerate(zip(sentences, predicted))
             if len(s.entities) >= 2 and entity_set(p[0]) == s.entity_set())
    target, sentence = lines[k], sentences[k]
    dropped = target["entities"][0]
    kept = target["entities"][1:]
    relations = [{"type": r["type"], "head": r["head"] - 1, "tail": r["tail"] - 1}
                 for r in target["relations"] if r["head"] != 0 and r["tail"] != 0]
    feedback = tmp_path / "feedback.jsonl"
    first = record(target, target["entities"], target["relations"], {"kind": "retype-entity"})  # an earlier state
    final = record(target, kept, relations, {"kind": "not-entity"})
    feedback.write_text(json.dumps(first) + "\n" + json.dumps(final) + "\n", encoding="utf-8")
    assert merged_feedback([str(feedback)]) == [final], "the later line of a sentence wins"

    tuned = dict(base, epochs=15, out=str(tmp_path / "tuned"))
    tuned_run = train(tuned, quiet=True, feedback=[str(feedback)], feedback_weight=20.0, init_from=base_run)
    cfg, schema, feat, model = rebuild_from_run(tuned_run)
    after = entity_set(predict(model, feat, [sentence], cfg["decode"], schema)[0][0])
    assert after == sentence.entity_set() - {(dropped["start"], dropped["end"], dropped["type"])}, after
    with open(os.path.join(tuned_run, "log.jsonl"), encoding="utf-8") as f:
        events = [json.loads(line)["event"] for line in f]
    assert "started_from" in events
    assert os.path.isfile(os.path.join(tuned_run, "feedback.jsonl"))


def test_feedback_files_that_training_cannot_read_are_refused(tmp_path):
    bad = tmp_path / "feedback.jsonl"
    bad.write_text('{"tokens": ["a"], "entities": [{"type": "Drug", "start": 0, "end": 3}]}\n', encoding="utf-8")
    with pytest.raises(DataError, match="feedback"):
        merged_feedback([str(bad)])
    with pytest.raises(FileNotFoundError):
        merged_feedback([str(tmp_path / "missing.jsonl")])
