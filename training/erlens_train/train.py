"""One command trains one model from a config: deterministic for a seed, early stopping on dev,
a checkpoint every epoch (`last.pt`, resumable) and the best one (`best.pt`), a JSONL log.

    training/erlens-train train --config training/configs/mge-conll04.json [--resume]
"""
import json
import os
import shutil
import random
import time

import torch

from . import architectures, span_trim
from .build import build_featurizer_and_encoder, build_model, save_encoder_files
from .pretrained import encoder_folder, source_info
from .config import load_config, resolve
from .data import Schema
from .metrics import as_scoring_items
from .eval_sets import load_eval_sets, selection, summary
from .feature_cache import FeatureCache, fingerprint, warm as warm_cache
from .featurize import batch as make_batch
from .predict import predict
from .retokenize import retokenize
from .augment import drop_gazetteer_matches, run_ons
from .feedback import feedback_source
from .sources import epoch_indices, load_sources


def set_seed(seed):
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:
        pass


def length_bucketed_batches(lengths, batch_size, seed, pool_batches=50):
    """Shuffled batches of sentences of similar length. Table models cost O(N^2) per sentence, so
    padding a 20-word sentence to 70 words wastes 90% of the work. The order depends on the seed
    (and epoch) only: shuffle, sort within pools of `pool_batches` batches, shuffle the batches."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(lengths), generator=g).tolist()
    pool = batch_size * pool_batches
    batches = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p:p + pool], key=lambda i: lengths[i])
        batches.extend(chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size))
    perm = torch.randperm(len(batches), generator=g).tolist()
    return [batches[i] for i in perm]


def pick_device(name):
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def make_optimizer(cfg, model):
    """Two groups: pretrained weights at encoder_lr, the rest at lr. The groups are (encoder, head) as they
    always were for wordchar and transformer, so checkpoints of earlier runs still resume; a hybrid's
    wordchar parts go with the head."""
    kind = cfg["encoder"]["kind"]
    if kind == "hybrid":
        pre = {id(p) for p in model.encoder.transformer.parameters()}
        first = [p for p in model.encoder.transformer.parameters() if p.requires_grad]
        rest = [p for p in model.parameters() if p.requires_grad and id(p) not in pre]
    else:
        first = [p for p in model.encoder.parameters() if p.requires_grad]
        rest = [p for p in model.head.parameters() if p.requires_grad]
    enc_lr = cfg["encoder_lr"] if kind in ("transformer", "hybrid") else cfg["lr"]
    groups = [{"params": first, "lr": enc_lr}, {"params": rest, "lr": cfg["lr"]}]
    return torch.optim.AdamW(groups, weight_decay=cfg["weight_decay"])


def encoder_of(model):
    return getattr(model.encoder, "transformer", model.encoder)


def attach_feature_cache(cfg, model, run_dir):
    """A FeatureCache on the transformer when its bottom is frozen (feature_cache.py), else None."""
    enc_cfg = cfg["encoder"]
    tr = getattr(model.encoder, "transformer", model.encoder)
    if enc_cfg["kind"] == "wordchar" or not enc_cfg["feature_cache"] or not tr.frozen_part:
        return None
    with open(os.path.join(run_dir, "encoder_source.json"), encoding="utf-8") as f:
        source = json.load(f)
    fp = fingerprint({k: source.get(k) for k in ("package", "version", "path", "weights_sha256")}, tr.n_frozen)
    path = os.path.join(resolve(enc_cfg["cache_dir"]), "%s-%s.pt" % (cfg["name"], fp))
    tr.cache = FeatureCache(path)
    return tr.cache


def make_schedule(optimizer, total_steps, warmup_frac):
    warm = max(1, int(total_steps * warmup_frac))

    def factor(step):
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total_steps - step) / max(1, total_steps - warm))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class RunLog:
    def __init__(self, path, quiet=False):
        self.path, self.quiet = path, quiet

    def write(self, **record):
        record["time"] = round(time.time(), 3)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        if not self.quiet:
            print(json.dumps(record), flush=True)


def epoch_checkpoint(run_dir, epoch):
    """Where `keep_epochs` keeps an epoch's weights."""
    return os.path.join(run_dir, "epoch-%d.pt" % epoch)


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def retokenize_all(name, sentences, log):
    """Every sentence re-tokenised by the server's tokenizer; unrepresentable gold entities logged."""
    out, lost = [], []
    for s in sentences:
        new, gone = retokenize(s, s.text)
        out.append(new)
        lost.extend(gone)
    log.write(event="retokenized", source=name, sentences=len(out), unrepresentable_entities=len(lost),
              examples=[g[3] for g in lost[:10]])
    return out


def mark_unannotated_listed(sources, per_source, feat, log):
    """Sources with "unannotated_listed": "unknown" (sources.py): gazetteer matches they did not annotate
    become unknown spans, whose entity cells do not train."""
    for src, sents in zip(sources, per_source):
        if src.unannotated_listed != "unknown" or getattr(feat, "gazetteer", None) is None:
            continue
        marked = 0
        for s in sents:
            annotated = {(a, b) for a, b, _ in s.entities}
            s.unknown_spans = tuple(sp for sp in feat.gazetteer.spans(s.tokens) if sp not in annotated)
            marked += len(s.unknown_spans)
        log.write(event="unannotated_listed", source=src.name, unknown_spans=marked)


def start_from(init_run, run_dir):
    """`--from RUN`: the new run reads RUN's vocabulary files, so its featurizer is RUN's exactly."""
    for name in ("word_table.pt", "gazetteer.txt"):
        if os.path.isfile(os.path.join(init_run, name)):
            shutil.copy(os.path.join(init_run, name), os.path.join(run_dir, name))
    if not os.path.isfile(os.path.join(init_run, "best.pt")):
        raise FileNotFoundError("--from %s: the run has no best.pt" % init_run)


def load_start_weights(model, schema, init_run):
    with open(os.path.join(init_run, "schema.json"), encoding="utf-8") as f:
        known = json.load(f)
    if known["entity_types"] != schema.entity_types or known["relation_types"] != schema.relation_types:
        raise ValueError("--from %s: the training data's types (%s; %s) differ from the run's (%s; %s)"
                         % (init_run, schema.entity_types, schema.relation_types, known["entity_types"], known["relation_types"]))
    model.load_state_dict(torch.load(os.path.join(init_run, "best.pt"), map_location="cpu")["model"])


def train(config, resume=False, quiet=False, overrides=None, feedback=None, feedback_weight=5.0, init_from=None):
    """`feedback`: files of editor corrections to train on besides the config's data (feedback.py);
    `init_from`: a run folder whose weights and vocabulary the training starts from (fine-tuning)."""
    cfg = load_config(config, overrides)
    torch.set_num_threads(cfg["threads"])
    device = pick_device(cfg["device"])
    run_dir = resolve(cfg["out"])
    os.makedirs(run_dir, exist_ok=True)
    last_path, best_path = os.path.join(run_dir, "last.pt"), os.path.join(run_dir, "best.pt")
    if not resume:
        for p in (last_path, best_path, os.path.join(run_dir, "log.jsonl"), os.path.join(run_dir, "word_table.pt")):
            if os.path.exists(p):
                os.remove(p)
    log = RunLog(os.path.join(run_dir, "log.jsonl"), quiet)
    if feedback:
        cfg["train"] = (cfg["train"] if isinstance(cfg["train"], list) else [cfg["train"]]) + [
            feedback_source(feedback, run_dir, feedback_weight)]
    if init_from and not resume:
        start_from(resolve(init_from), run_dir)

    set_seed(cfg["seed"])
    sources, per_source = load_sources(cfg["train"], resolve)
    if cfg["retokenize"]:
        per_source = [retokenize_all(src.name, sents, log) for src, sents in zip(sources, per_source)]
    train_set = [s for sents in per_source for s in sents]
    eval_sets = load_eval_sets(cfg, cfg["retokenize"])
    dev_set = eval_sets[0].sentences
    schema = Schema.from_sentences(train_set, cfg["symmetric_relations"])
    schema.span_trim = span_trim.normalise(cfg["span_trim"]) or None
    feat, encoder = build_featurizer_and_encoder(cfg, train_set, run_dir)
    mark_unannotated_listed(sources, per_source, feat, log)
    model = build_model(cfg, schema, encoder).to(device)
    if init_from and not resume:
        load_start_weights(model, schema, resolve(init_from))
        log.write(event="started_from", run=init_from)
    arch = architectures.get(cfg["architecture"])

    with open(os.path.join(run_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(run_dir, "schema.json"), "w", encoding="utf-8") as f:
        json.dump(schema.to_json(), f, indent=2)
    if cfg["encoder"]["kind"] != "wordchar":
        save_encoder_files(feat, encoder, os.path.join(run_dir, "encoder"))
        with open(os.path.join(run_dir, "encoder_source.json"), "w", encoding="utf-8") as f:
            json.dump(source_info(cfg["encoder"], encoder_folder(cfg["encoder"])), f, indent=2)

    # Encoded per source, so that a source's `per_epoch` draw indexes its own sentences.
    train_enc, sizes, source_of = [], [], []
    skipped = 0
    for sents in per_source:
        n0 = len(train_enc)
        for s in sents:
            if not s.tokens:
                continue
            try:
                train_enc.append((s, feat.encode(s.tokens)))
            except ValueError:
                skipped += 1  # longer than the encoder's window: the server windows such sentences
        sizes.append(len(train_enc) - n0)
        source_of.extend([len(sizes) - 1] * sizes[-1])
    if skipped:
        log.write(event="skipped_long_train_sentences", count=skipped)
    try:
        eval_enc = [[feat.encode(s.tokens) for s in es.sentences] for es in eval_sets]
    except ValueError as err:
        raise ValueError("a dev sentence does not fit the encoder (%s); raise encoder.max_subwords" % err) from None

    cache = attach_feature_cache(cfg, model, run_dir)
    if cache is not None:
        seconds, new = warm_cache(cache, model, [[e for _, e in train_enc]] + eval_enc, feat.kind, device)
        log.write(event="feature_cache", seconds=seconds, new_entries=new, frozen_layers=encoder_of(model).n_frozen,
                  path=cache.path, **cache.stats())

    def epoch_items(epoch):
        return epoch_indices(sources, sizes, cfg["seed"] * 1000 + epoch)

    steps_per_epoch = len(length_bucketed_batches([0] * len(epoch_items(0)), cfg["batch_size"], 0))
    total_steps = steps_per_epoch * cfg["epochs"]
    if cfg["max_train_steps"]:
        total_steps = min(total_steps, cfg["max_train_steps"])
    optimizer = make_optimizer(cfg, model)
    schedule = make_schedule(optimizer, total_steps, cfg["warmup"])

    state = {"epoch": 0, "step": 0, "best_score": -1.0, "best_epoch": 0, "bad_epochs": 0}
    if resume and os.path.isfile(last_path):
        ck = torch.load(last_path, map_location="cpu")
        model.load_state_dict(ck["model"])
        optimizer.load_state_dict(ck["optimizer"])
        schedule.load_state_dict(ck["schedule"])
        state = ck["state"]
        torch.set_rng_state(ck["rng"])
        random.setstate(ck["py_rng"])
        log.write(event="resumed", epoch=state["epoch"], step=state["step"])
    log.write(event="start", name=cfg["name"], device=device, train=len(train_enc), dev=len(dev_set),
              steps_per_epoch=steps_per_epoch, total_steps=total_steps,
              parameters=sum(p.numel() for p in model.parameters()),
              trainable=sum(p.numel() for p in model.parameters() if p.requires_grad))

    while state["epoch"] < cfg["epochs"] and state["step"] < total_steps:
        epoch = state["epoch"]
        model.train()
        items_of_epoch = epoch_items(epoch)
        examples = run_ons([train_enc[i] for i in items_of_epoch], [source_of[i] for i in items_of_epoch],
                           cfg["concat"], cfg["seed"] * 1000 + epoch, feat.encode)
        examples = drop_gazetteer_matches(examples, (cfg["encoder"].get("gazetteer") or {}).get("dropout", 0.0),
                                          cfg["seed"] * 1000 + epoch)
        batches = length_bucketed_batches([e["n_subwords"] for _, e in examples], cfg["batch_size"],
                                          cfg["seed"] * 1000 + epoch)
        t0, loss_sum, n_batches, n_tokens = time.time(), 0.0, 0, 0
        for batch_idx in batches:
            if state["step"] >= total_steps:
                break
            items = [examples[i] for i in batch_idx]
            inputs = {k: v.to(device) for k, v in make_batch([e for _, e in items], feat.kind).items()}
            N = inputs["word_mask"].size(1)
            targets = {k: v.to(device) for k, v in arch.make_targets([s for s, _ in items], schema, N).items()}
            loss = arch.loss(model(**inputs, targets=targets), targets, inputs["word_mask"], model.head)
            optimizer.zero_grad()
            loss.backward()
            if cfg["clip"]:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            optimizer.step()
            schedule.step()
            state["step"] += 1
            loss_sum += loss.item()
            n_batches += 1
            n_tokens += int(inputs["word_mask"].sum())
        state["epoch"] += 1
        if cache is not None:
            cache.flush()  # entries met for the first time this epoch (joined sentences, long windows)
        record = {"event": "epoch", "epoch": state["epoch"], "step": state["step"],
                  "loss": loss_sum / max(1, n_batches), "seconds": round(time.time() - t0, 2),
                  "words_per_second": round(n_tokens / max(1e-6, time.time() - t0))}
        if state["epoch"] % cfg["eval_every_epochs"] == 0 or state["step"] >= total_steps:
            reports = {}
            for es, enc in zip(eval_sets, eval_enc):
                preds = predict(model, feat, es.sentences, cfg["decode"], schema, device, encoded=enc)
                reports[es.name] = es.report([as_scoring_items(e, r) for e, r in preds])
            sel = selection(cfg, reports)
            sets = summary(reports)
            record.update({"dev": sets["dev"], "dev_selection": round(sel, 3)})
            if len(sets) > 1:
                record["watch"] = {k: v for k, v in sets.items() if k != "dev"}
            if sel > state["best_score"]:
                state.update(best_score=sel, best_epoch=state["epoch"], bad_epochs=0)
                save_atomic({"model": model.state_dict(), "epoch": state["epoch"], "dev": sets["dev"]}, best_path)
                with open(os.path.join(run_dir, "dev_report.json"), "w", encoding="utf-8") as f:
                    json.dump({"epoch": state["epoch"], "headline": sets["dev"], "report": reports["dev"],
                               "watch": {k: v for k, v in reports.items() if k != "dev"}}, f, indent=2)
                record["best"] = True
            else:
                state["bad_epochs"] += 1
        log.write(**record)
        if state["epoch"] in cfg["keep_epochs"]:
            save_atomic({"model": model.state_dict(), "epoch": state["epoch"]}, epoch_checkpoint(run_dir, state["epoch"]))
        save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(),
                     "state": state, "rng": torch.get_rng_state(), "py_rng": random.getstate()}, last_path)
        if cfg["stop_after_epochs"] and state["epoch"] >= cfg["stop_after_epochs"]:
            log.write(event="paused", epoch=state["epoch"])
            return run_dir
        if state["bad_epochs"] >= cfg["patience"]:
            log.write(event="early_stop", epoch=state["epoch"], best_epoch=state["best_epoch"])
            break
    log.write(event="done", best_epoch=state["best_epoch"], best_selection=round(state["best_score"], 3))
    return run_dir
