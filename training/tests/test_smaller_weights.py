"""Smaller stored weights that leave the computation alone: fp16-stored weights as int8 per row (folded back
to fp32 at load, `store_int8`), a pretrained encoder's 8-bit word table as 4-bit codes per row block
(`store_tables_4bit`), and their package rewrites."""
import json
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from erlens_train.onnx_weights import (FP16_SUFFIX, TABLE_4BIT_NAME, pack_table_4bit, store_fp16, store_int8,
                                       store_tables_4bit)
from erlens_train.package_rewrite import four_bit_tables, int8_weights


def run(path, feeds):
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)


def save(graph, path):
    from onnx import helper
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def two_readers_graph(path, weight):
    """x @ W and x @ W again through two names of one weight (an ensemble's members share identical weights)."""
    from onnx import TensorProto, helper, numpy_helper
    k, n = weight.shape
    graph = helper.make_graph(
        [helper.make_node("Identity", ["W"], ["W2"]), helper.make_node("MatMul", ["x", "W"], ["y"]),
         helper.make_node("MatMul", ["x", "W2"], ["z"])], "two",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", n]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", n])],
        initializer=[numpy_helper.from_array(weight, "W"), numpy_helper.from_array(np.ones(3, np.float32), "tiny")])
    save(graph, path)


def test_int8_weights_fold_back_to_the_same_computation(tmp_path):
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(64, 48)).astype(np.float32)
    weight[5] = 0.0  # an all-zero row keeps scale 0 without dividing by it
    fp32 = str(tmp_path / "w.onnx")
    two_readers_graph(fp32, weight)
    x = {"x": rng.normal(size=(4, 64)).astype(np.float32)}
    want = run(fp32, x)
    assert store_fp16(fp32) == 1  # "tiny" stays fp32: too small
    assert store_int8(fp32) == 1
    inits = {i.name: i for i in onnx.load(fp32).graph.initializer}
    assert "W" + FP16_SUFFIX not in inits and inits["W__int8"].data_type == onnx.TensorProto.INT8
    got = run(fp32, x)
    for w, g in zip(want, got):
        # 8 bits per row: every weight within half a step of its row's scale
        bound = np.abs(x["x"]) @ (np.abs(weight).max(axis=1, keepdims=True) / 127 / 2 * np.ones_like(weight)) + 1e-2
        assert np.all(np.abs(w - g) <= bound)
        assert 0 < np.abs(w - g).max() < 0.05 * np.abs(w).max()
    assert store_int8(fp32) == 0  # nothing fp16-stored is left


def test_int8_weights_keep_a_column_in_fp16(tmp_path):
    """One value per row (an Int8Embedding's row scales): a code and a scale each would outweigh fp16."""
    column = str(tmp_path / "c.onnx")
    two_readers_graph(column, np.random.default_rng(1).normal(size=(4096, 1)).astype(np.float32))
    assert store_fp16(column) == 1
    assert store_int8(column) == 0
    inits = {i.name for i in onnx.load(column).graph.initializer}
    assert "W" + FP16_SUFFIX in inits


def gather_graph(path, codes, zero_point, ids_shape):
    """Gather from a uint8 table then DequantizeLinear (what quantize_int8 makes of an encoder's word embeddings)."""
    from onnx import TensorProto, helper, numpy_helper
    name = "m1/model.encoder.transformer.body." + TABLE_4BIT_NAME + "weight_quantized"
    graph = helper.make_graph(
        [helper.make_node("Gather", [name, "ids"], ["codes"], name="m1/gather"),
         helper.make_node("DequantizeLinear", ["codes", "scale", "zp"], ["rows"])], "table",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ids_shape)],
        [helper.make_tensor_value_info("rows", TensorProto.FLOAT, ids_shape + [codes.shape[1]])],
        initializer=[numpy_helper.from_array(codes, name), numpy_helper.from_array(np.float32(0.01), "scale"),
                     numpy_helper.from_array(np.uint8(zero_point), "zp")])
    save(graph, path)


@pytest.mark.parametrize("ids_shape", [["batch", "words"], ["words"]])
def test_four_bit_table_rows_come_back_within_half_a_block_step(tmp_path, ids_shape):
    rng = np.random.default_rng(1)
    zero = 131
    codes = np.clip(np.round(rng.normal(zero, 25, size=(400, 384))), 0, 255).astype(np.uint8)
    codes[0] = zero  # a padding row of zeros
    path = str(tmp_path / "t.onnx")
    gather_graph(path, codes, zero, ids_shape)
    ids = np.array([[0, 3, 399], [7, 7, 1]] if len(ids_shape) == 2 else [0, 3, 399, 7], np.int64)
    want = run(path, {"ids": ids})[0]
    before = os.path.getsize(path)
    assert store_tables_4bit(path) == 1
    assert os.path.getsize(path) < 0.65 * before  # half the codes, plus an fp16 minimum and step per 32
    got = run(path, {"ids": ids})[0]
    assert got.shape == want.shape
    _, _, steps, block = pack_table_4bit(codes, zero)
    step = steps.astype(np.float32)[ids].repeat(block, axis=-1) * 0.01  # per element, in dequantised units
    assert np.all(np.abs(got - want) <= step / 2 + 0.01 / 2 + 1e-6)  # half a 4-bit step, plus 8-bit rounding
    assert np.all(got[ids == 0] == 0)  # zeros stay exact
    assert np.abs(got - want).max() > 0  # it is 4 bits


def test_tables_of_other_encoders_keep_8_bits(tmp_path):
    from onnx import TensorProto, helper, numpy_helper
    codes = np.ones((300, 100), np.int8)
    graph = helper.make_graph([helper.make_node("Gather", ["word_emb.weight", "ids"], ["rows"])], "t",
                              [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"])],
                              [helper.make_tensor_value_info("rows", TensorProto.INT8, ["n", 100])],
                              initializer=[numpy_helper.from_array(codes, "word_emb.weight")])
    path = str(tmp_path / "w.onnx")
    save(graph, path)
    assert store_tables_4bit(path) == 0  # fastText tables lose RE in 4 bits (TABLE_4BIT_NAME)


def package(folder, graph_writer):
    pkg = folder / "pkg"
    pkg.mkdir(parents=True)
    graph_writer(str(pkg / "model.onnx"))
    (pkg / "model.json").write_text(json.dumps({"id": "p", "encoder": {"kind": "hybrid"}, "graph": {"file": "model.onnx"}}))
    return pkg


def test_package_rewrites_record_what_they_did_and_refuse_twice(tmp_path):
    rng = np.random.default_rng(2)
    weight = rng.normal(size=(64, 48)).astype(np.float32)
    pkg = package(tmp_path, lambda p: (two_readers_graph(p, weight), store_fp16(p)))
    out = int8_weights(str(pkg), str(tmp_path / "i8"))
    meta = json.load(open(os.path.join(out, "model.json")))
    assert meta["graph"]["int8_initializers"] == 1 and len(meta["graph"]["sha256"]) == 64
    with pytest.raises(ValueError, match="int8 already"):
        int8_weights(out, str(tmp_path / "again"))
    with pytest.raises(ValueError, match="no 8-bit word table"):
        four_bit_tables(out, str(tmp_path / "t4"))
    assert not os.path.exists(tmp_path / "again") and not os.path.exists(tmp_path / "t4")
    codes = np.full((40, 32), 128, np.uint8)
    tpkg = package(tmp_path / "table", lambda p: gather_graph(p, codes, 128, ["n"]))
    out4 = four_bit_tables(str(tpkg), str(tmp_path / "t4b"))
    assert json.load(open(os.path.join(out4, "model.json")))["graph"]["tables_4bit"] == 1
    with pytest.raises(ValueError, match="4 bits already"):
        four_bit_tables(out4, str(tmp_path / "t4c"))


def test_rewrite_commands_reach_their_functions(tmp_path, capsys):
    # erlens-train int8-weights / four-bit-tables: one subcommand per entry of PACKAGE_REWRITES
    from erlens_train.__main__ import PACKAGE_REWRITES, main
    from erlens_train import package_rewrite
    assert all(callable(getattr(package_rewrite, cmd.replace("-", "_"))) for cmd in PACKAGE_REWRITES)
    rng = np.random.default_rng(3)
    pkg = package(tmp_path, lambda p: (two_readers_graph(p, rng.normal(size=(8, 4)).astype(np.float32)), store_fp16(p, 16)))
    assert main(["int8-weights", "--package", str(pkg), "--out", str(tmp_path / "cli")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "cli")
    assert json.load(open(tmp_path / "cli" / "model.json"))["graph"]["int8_initializers"] == 1
