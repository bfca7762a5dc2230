"""ELECTRA-style pretraining, tiny configuration on CPU: vocabulary, packing, loss falls, checkpoint,
resume, and the exported encoder folder loads as a `transformer` encoder."""
import json
import os

import torch

from conftest import SHARED
from erlens_train.encoders import load_hf_model
from erlens_train.featurize import WordPieceFeaturizer
from erlens_train.pretrain import pretrain
from erlens_train.wordpiece_learn import learn_wordpiece

TINY = {"corpus": os.path.join(SHARED, "corpus"), "sources": ["biomed/pubmedqa-*"], "max_lines": 400,
        "vocab_size": 600, "max_len": 32, "hidden": 32, "layers": 2, "heads": 2, "ffn": 64, "embedding_size": 16,
        "generator_hidden": 16, "generator_layers": 1, "generator_heads": 1, "generator_ffn": 32,
        "batch_size": 16, "lr": 2e-3, "warmup_steps": 5, "steps": 60, "checkpoint_every": 30, "log_every": 10,
        "heldout_sequences": 32, "amp": False}


def test_wordpiece_learning_merges_frequent_words():
    counts = {"patient": 50, "patients": 30, "pain": 20, "aspirin": 12, "x": 1}
    vocab = learn_wordpiece(counts, 60, min_count=2, alphabet_min=1)
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert "patient" in vocab and len(vocab) == len(set(vocab)) <= 60
    feat = WordPieceFeaturizer.from_vocab({t: i for i, t in enumerate(vocab)})
    assert [vocab[i] for i in feat.pieces("patients")] == ["patients"]
    assert [vocab[i] for i in feat.pieces("pains")] == ["pain", "##s"]  # unseen word: merged pieces


def test_tiny_pretraining_runs_resumes_and_exports(tmp_path):
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(dict(TINY, out=str(tmp_path / "run"))))
    folder = pretrain(str(cfg_path), quiet=True, overrides={"steps": 60})
    log = [json.loads(l) for l in open(tmp_path / "run" / "log.jsonl")]
    steps = [r for r in log if r["event"] == "step"]
    assert steps[-1]["loss"] < steps[0]["loss"], [r["loss"] for r in steps]
    assert all(r["tokens_per_second"] > 0 for r in steps)
    checks = [r for r in log if r["event"] == "checkpoint"]
    assert 0.0 <= checks[-1]["heldout"]["rtd_accuracy"] <= 1.0
    # resume: continues at step 60 to 80 rather than starting over
    pretrain(str(cfg_path), resume=True, quiet=True, overrides={"steps": 80})
    log2 = [json.loads(l) for l in open(tmp_path / "run" / "log.jsonl")]
    starts = [r for r in log2 if r["event"] == "start"]
    assert starts[-1]["step"] == 60
    body = load_hf_model(folder)  # the folder transformers' save_pretrained wrote, loaded by AutoModel
    assert body.config.model_type == "electra" and body.config.hidden_size == 32
    feat = WordPieceFeaturizer.from_file(os.path.join(folder, "tokenizer.json"), max_subwords=32)
    e = feat.encode(["The", "patients", "improved", "."])
    x = body(input_ids=torch.tensor([e["input_ids"]]),
             attention_mask=torch.ones(1, e["n_subwords"], dtype=torch.long)).last_hidden_state
    assert x.shape == (1, e["n_subwords"], 32) and torch.isfinite(x).all()


def test_pretrained_folder_fine_tunes_and_exports_with_parity(tmp_path, tiny_workdir):
    """The pretraining output is a `transformer` encoder: MGE trains on it and exports with parity."""
    from erlens_train.export import export_run
    from erlens_train.tiny import tiny_config
    from erlens_train.train import train
    from test_train_export import run_parity
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(dict(TINY, out=str(tmp_path / "pre"), max_len=256)))
    folder = pretrain(str(cfg_path), quiet=True, overrides={"steps": 10})
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=1)
    cfg["encoder"] = {"kind": "transformer", "path": folder, "max_subwords": 256}
    cfg["out"] = str(tmp_path / "run")
    run = train(cfg, quiet=True)
    parity = str(tmp_path / "parity.json")
    export_run(run, str(tmp_path / "pkg"), parity_path=parity)
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4 and result["max_abs_diff_single"] < 1e-4, result
