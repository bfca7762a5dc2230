"""Write a package's model card (README.md) from what was measured: model.json, the training log and
the ONNX dev report written by `erlens eval --report` (the shipped graph through the server's code).

    models/train/erlens-train card --package models/mge-conll04 --onnx-report runs/mge-conll04/onnx_dev.json
"""
import argparse
import json
import os

from .metrics import headline


def _pct(x):
    return "%.2f" % x if isinstance(x, (int, float)) else "–"


def _size(path):
    total = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    return total / (1024 * 1024)


def headline_from_onnx_report(report):
    return report["headline"] if "headline" in report else headline(report)


def write_card(package_dir, onnx_report_path=None, notes="", parity_path=None):
    with open(os.path.join(package_dir, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    onnx = None
    if onnx_report_path:
        with open(onnx_report_path, encoding="utf-8") as f:
            onnx = headline_from_onnx_report(json.load(f))
        meta["dev_scores"]["onnx"] = {k: round(v, 2) for k, v in onnx.items()}
        with open(os.path.join(package_dir, "model.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
    parity = "not run"
    if parity_path:
        with open(parity_path, encoding="utf-8") as f:
            pr = json.load(f)
        against = ("the same int8 model in PyTorch" if meta["encoder"].get("word_table") == "int8"
                   else "PyTorch fp32")
        parity = ("max abs difference of the graph outputs, %s vs ONNX Runtime on %d dev sentences "
                  "(every graph stage): %.2e batched, %.2e one sentence at a time (`node scripts/onnx-parity.mjs`)"
                  % (against, pr["sentences"], pr["max_abs_diff_batch"], pr["max_abs_diff_single"]))
    tr = meta["training"]
    pt = meta["dev_scores"].get("pytorch_fp32") or {}
    tuned = ""
    dflt = meta["dev_scores"].get("pytorch_fp32_default_decoding")
    if dflt:
        tuned = ("; decoding then tuned on dev (with the decoder's default settings: NER micro %.2f, "
                 "RE micro %.2f, NER macro %.2f, RE macro %.2f)" % (dflt["ner_micro"], dflt["re_micro"],
                                                                  dflt["ner_macro"], dflt["re_macro"]))
    enc = meta["encoder"]
    c = tr["config"]
    rows = ["| | NER micro | RE micro | NER macro | RE macro |", "|---|---|---|---|---|",
            "| PyTorch, fp32, same decoding | %s | %s | %s | %s |" % tuple(_pct(pt.get(k)) for k in
                                                                  ("ner_micro", "re_micro", "ner_macro", "re_macro"))]
    if onnx:
        rows.append("| ONNX package (`erlens eval`) | %s | %s | %s | %s |" % tuple(
            _pct(onnx.get(k)) for k in ("ner_micro", "re_micro", "ner_macro", "re_macro")))
    quant = "not measured"
    if onnx and pt:
        d = [onnx[k] - pt[k] for k in ("ner_micro", "re_micro", "ner_macro", "re_macro")]
        quant = ("%s word table: NER micro %+.2f, RE micro %+.2f, NER macro %+.2f, RE macro %+.2f points against "
                 "the fp32 PyTorch model" % (enc.get("word_table", "fp32"), d[0], d[1], d[2], d[3]))
    text = """# {id}

{arch} joint entity and relation extraction model, trained by ERlens on **{dataset}** (train split), selected
on dev. Encoder kind `{kind}`. Fully local: no network at run time.

## Data
- Train: `{train}`; dev: `{dev}` (the shared JSONL format). Official test splits are held back; only dev
  scores are reported. Entity types: {ents}. Relation types: {rels}.

## Encoder
{enc_text}

## Training
```
models/train/erlens-train train --config models/train/configs/{id}.json
models/train/erlens-train tune --run runs/{id} --write      # decoding settings, on dev
models/train/erlens-train export --run runs/{id} --out models/{id}
npm run erlens -- eval --model models/{id} --data {dev} --report runs/{id}/onnx_dev.json
models/train/erlens-train card --package models/{id} --onnx-report runs/{id}/onnx_dev.json
```
Seed {seed}; {epochs_run} epochs run (max {epochs}, patience {patience}), best epoch {best_epoch} by the dev mean of
NER and strict RE F1 ({averaging}){tuned}; batch {batch}, lr {lr}, warm-up {warmup}, clip {clip}; head {head}.

## Dev scores (strict: exact spans and types; relations need both arguments exact and the right type and direction)
{rows}

## Size and quantisation
- Package: {size:.1f} MB on disk; {params:,} parameters (incl. the word table).
- Quantisation: {quant}.
- Parity: {parity}.

## Limits
- Decoding (`{decoder}` decoder, model.json `decoding`): {decoding}.
- Sentences longer than {mw} words are split by the server into overlapping windows; a relation whose
  arguments fall in different windows cannot be found.
{notes}""".format(
        id=meta["id"], arch=meta["architecture"].upper(), dataset=tr["dataset"], kind=enc["kind"], train=tr["train"],
        dev=tr["dev"], ents=", ".join("`%s`" % e for e in meta["entity_types"]),
        rels=", ".join("`%s`" % r for r in meta["relation_types"]),
        enc_text=("Word vectors trained by ERlens with fastText on `../shared/corpus` (biomedical, news, science and "
                  "encyclopedic text; `models/train/erlens-train vectors`), {dim}-d, frozen; vocabulary = training "
                  "words + the {cw:,} most frequent corpus words ({nw:,} entries, {wt}); a char CNN ({cf} filters) for "
                  "unseen words; a {layers}-layer BiLSTM ({hid} per direction). Licence: the project's own."
                  ).format(dim=c["encoder"]["word_dim"], cw=c["encoder"]["corpus_words"],
                           nw=sum(1 for _ in open(os.path.join(package_dir, "vocab.words.txt"), encoding="utf-8")),
                           wt=enc.get("word_table", "fp32"), cf=c["encoder"]["char_filters"], layers=c["encoder"]["layers"],
                           hid=c["encoder"]["hidden"]) if enc["kind"] == "wordchar" else
        "Transformer encoder `%s` (%s)." % (enc["name"], enc.get("licence", "")),
        seed=tr["seed"], epochs_run=tr["epochs_run"], epochs=c["epochs"], patience=c["patience"],
        best_epoch=tr["best_epoch"], averaging=tr["averaging"], batch=c["batch_size"], lr=c["lr"], warmup=c["warmup"],
        clip=c["clip"], head=json.dumps(c["head"]), rows="\n".join(rows), size=_size(package_dir),
        params=meta["parameters"], quant=quant, parity=parity, decoder=meta["decoder"],
        decoding=", ".join("%s `%s`" % (k, json.dumps(v)) for k, v in sorted(decoding_of(meta).items())), mw=meta["max_words"], notes=notes, tuned=tuned)
    with open(os.path.join(package_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


def decoding_of(meta):
    """Decoding settings of a package; packages from before `decoding` existed carry thresholds only."""
    if "decoding" in meta:
        return meta["decoding"]
    return {"ent_threshold": meta["thresholds"]["entity"], "rel_threshold": meta["thresholds"]["relation"],
            "pair_policy": meta["pair_policy"]}


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train card")
    p.add_argument("--package", required=True)
    p.add_argument("--onnx-report")
    p.add_argument("--parity-result", help="the JSON line scripts/onnx-parity.mjs printed, saved to a file")
    p.add_argument("--notes", default="", help="a Markdown paragraph appended to the card")
    args = p.parse_args(argv)
    write_card(args.package, args.onnx_report, args.notes, args.parity_result)
    print("card written: %s" % os.path.join(args.package, "README.md"))
