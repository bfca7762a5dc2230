"""Training on the corrections users make in the editor (`.erlens/feedback.jsonl`, written by the language
server: server/src/corrections/feedbackRecord.ts).

Each line is a corrected sentence in the shared data format (tokens from the server's word tokenizer,
entities as token spans, relations as entity indices) plus what the model predicted and what the user
changed; a sentence corrected twice has two lines with the same id, the later one the state after both.

    erlens-train train --config training/configs/mge-clinical.json --from runs/mge-clinical \\
        --feedback .erlens/feedback.jsonl --set epochs=5

adds the feedback as one more training source (every later line of a sentence supersedes the earlier;
each corrected sentence weighs `--feedback-weight` times an ordinary one, because a handful of
corrections would otherwise vanish among thousands of sentences), and `--from` starts from that run's
weights and vocabulary, so a few epochs fine-tune the model instead of training a new one.
"""
import json
import os

from .data import DataError, jsonl_objects, parse_sentence

FILE = "feedback.jsonl"


def merged_feedback(paths):
    """The feedback lines of every file, the last line of each sentence id winning, in first-seen order."""
    latest, order = {}, []
    for path in paths:
        try:
            for n, obj in jsonl_objects(path):
                parse_sentence(obj, "%s:%d" % (path, n))  # refuse what training could not read
                key = obj.get("id") or obj.get("text") or " ".join(obj["tokens"])
                if key not in latest:
                    order.append(key)
                latest[key] = obj
        except DataError as err:
            raise DataError("not a feedback file: %s" % err) from None
    if not latest:
        raise DataError("no feedback lines in %s" % ", ".join(paths))
    return [latest[k] for k in order]


def feedback_source(paths, run_dir, weight):
    """Writes the merged feedback into the run folder (the run says exactly what it learned from) and
    returns the training source for it: fully annotated, weighted."""
    os.makedirs(run_dir, exist_ok=True)
    out = os.path.join(run_dir, FILE)
    with open(out, "w", encoding="utf-8") as f:
        for obj in merged_feedback(paths):
            f.write(json.dumps({k: obj[k] for k in ("id", "tokens", "entities", "relations", "text") if k in obj},
                               ensure_ascii=False) + "\n")
    return {"name": "feedback", "path": out, "weight": float(weight)}
