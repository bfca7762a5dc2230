"""The `transformer` encoder kind, proven with a tiny randomly initialised BERT the test writes itself."""
import json
import os

import pytest
import torch

from erlens_train.encoders import BertBody, BertConfig, load_hf_encoder, read_hf_vocab, read_safetensors, write_safetensors
from erlens_train.export import export_run
from erlens_train.featurize import WordPieceFeaturizer
from erlens_train.tiny import make_tiny_bert, tiny_config
from erlens_train.train import train
from test_train_export import epoch_losses, run_parity


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory, conll_train):
    return make_tiny_bert(conll_train[:200], str(tmp_path_factory.mktemp("bert")))


def test_safetensors_round_trip(tmp_path):
    tensors = {"a": torch.randn(3, 4), "b.c": torch.arange(5, dtype=torch.int64), "h": torch.randn(2).half()}
    path = str(tmp_path / "x.safetensors")
    write_safetensors(path, tensors)
    back = read_safetensors(path)
    assert set(back) == set(tensors)
    for k in tensors:
        assert back[k].dtype == tensors[k].dtype and torch.equal(back[k], tensors[k])


def test_hf_folder_loads_with_electra_or_bert_names(tiny_bert, tmp_path):
    enc, cfg = load_hf_encoder(tiny_bert)
    state = read_safetensors(os.path.join(tiny_bert, "model.safetensors"))
    assert torch.equal(enc.body.embeddings.word_embeddings.weight, state["bert.embeddings.word_embeddings.weight"])
    # the same weights under ELECTRA's prefix, saved as a .bin, load the same way
    electra = tmp_path / "electra"
    electra.mkdir()
    (electra / "config.json").write_text(open(os.path.join(tiny_bert, "config.json")).read())
    torch.save({k.replace("bert.", "electra."): v for k, v in state.items()}, str(electra / "pytorch_model.bin"))
    (electra / "vocab.txt").write_text(open(os.path.join(tiny_bert, "vocab.txt")).read())
    enc2, _ = load_hf_encoder(str(electra))
    assert torch.equal(enc2.body.encoder.layer[1].output.dense.weight, enc.body.encoder.layer[1].output.dense.weight)


def test_missing_weights_are_a_clear_error(tiny_bert, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(open(os.path.join(tiny_bert, "config.json")).read())
    with pytest.raises(FileNotFoundError, match="model.safetensors or pytorch_model.bin"):
        load_hf_encoder(str(broken))
    write_safetensors(str(broken / "model.safetensors"), {"bert.embeddings.word_embeddings.weight": torch.zeros(3, 3)})
    with pytest.raises(ValueError, match="lack"):
        load_hf_encoder(str(broken))


def test_transformer_training_export_and_parity(tiny_bert, tiny_workdir, tmp_path):
    cfg = tiny_config(tiny_workdir["dir"], tiny_workdir["train"], tiny_workdir["dev"], tiny_workdir["vectors"],
                      epochs=4)
    cfg["encoder"] = {"kind": "transformer", "path": tiny_bert, "max_subwords": 256}
    cfg["encoder_lr"] = 1e-3
    cfg["out"] = str(tmp_path / "run")
    run = train(cfg, quiet=True)
    losses = epoch_losses(run)
    assert losses[-1] < losses[0], losses
    pkg, parity = str(tmp_path / "pkg"), str(tmp_path / "parity.json")
    export_run(run, pkg, parity_path=parity)
    meta = json.load(open(os.path.join(pkg, "model.json")))
    assert meta["encoder"]["kind"] == "transformer" and meta["max_subwords"] == 256
    assert os.path.isfile(os.path.join(pkg, "tokenizer.json"))
    # the tokenizer.json written for the TypeScript side holds the same WordPiece vocabulary
    tj = json.load(open(os.path.join(pkg, "tokenizer.json")))
    assert tj["model"]["type"] == "WordPiece" and tj["model"]["vocab"] == read_hf_vocab(tiny_bert)
    result = run_parity(parity)
    assert result["max_abs_diff_batch"] < 1e-4 and result["max_abs_diff_single"] < 1e-4, result


def test_pooling_first_mean_max():
    from erlens_train.encoders import pool_words
    X = torch.arange(1, 8, dtype=torch.float).view(1, 7, 1)  # [CLS] a1 a2 b1 c1 c2 [SEP]
    first = torch.tensor([[1, 3, 4]])
    wm = torch.ones(1, 3, dtype=torch.long)
    am = torch.ones(1, 7, dtype=torch.long)
    assert pool_words(X, first, wm, am, "first").view(-1).tolist() == [2, 4, 5]
    assert pool_words(X, first, wm, am, "mean").view(-1).tolist() == [2.5, 4, 5.5]
    assert pool_words(X, first, wm, am, "max").view(-1).tolist() == [3, 4, 6]
