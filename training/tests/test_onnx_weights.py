"""int8 activations per token: a graph quantised by onnxruntime's quantize_dynamic (one activation scale per
call, over the batch) rewritten so that each token's codes depend on that token alone."""
import json
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from erlens_train.package_rewrite import per_token_int8
from erlens_train.onnx_weights import ENCODER_PREFIXES, quantize_activations_per_token


def linear_graph(path, weight, bias):
    """x [batch, tokens, K] -> x @ W + b, the MatMul named like a pretrained encoder's (what quantize_int8 picks)."""
    from onnx import TensorProto, helper, numpy_helper
    k, n = weight.shape
    name = ENCODER_PREFIXES[1] + "0/attention/self/query/MatMul"
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"], name=name),
         helper.make_node("Add", ["xw", "b"], ["y"], name=name + "_bias")],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", n])],
        initializer=[numpy_helper.from_array(weight, "W"), numpy_helper.from_array(bias, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def quantize_per_call(src, dst):
    """What quantize_int8 did before the rewrite: the library's dynamic quantisation alone."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                     extra_options={"MatMulConstBOnly": True})


def run(path, x):
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


@pytest.fixture()
def graphs(tmp_path):
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(64, 48)).astype(np.float32)
    bias = rng.normal(size=48).astype(np.float32)
    fp32, int8 = str(tmp_path / "fp32.onnx"), str(tmp_path / "int8.onnx")
    linear_graph(fp32, weight, bias)
    quantize_per_call(fp32, int8)
    # one quiet sentence and one loud one (activations 50 times larger), batched together
    quiet = rng.normal(size=(1, 5, 64)).astype(np.float32)
    loud = 50 * rng.normal(size=(1, 5, 64)).astype(np.float32)
    return fp32, int8, quiet, loud


def test_per_call_quantisation_depends_on_batch_mates(graphs):
    # the defect the rewrite removes: the quiet sentence's result changes when the loud one shares its call
    _, int8, quiet, loud = graphs
    alone = run(int8, quiet)[0]
    batched = run(int8, np.concatenate([quiet, loud]))[0]
    assert np.abs(alone - batched).max() > 1e-2


def test_per_token_results_do_not_depend_on_batch_mates(graphs):
    fp32, int8, quiet, loud = graphs
    assert quantize_activations_per_token(int8) == 1
    kinds = {n.op_type for n in onnx.load(int8).graph.node}
    assert "DynamicQuantizeLinear" not in kinds and "MatMulIntegerToFloat" in kinds
    alone = run(int8, quiet)[0]
    batched = run(int8, np.concatenate([loud, quiet]))[1]
    np.testing.assert_allclose(batched, alone, rtol=0, atol=1e-5)
    # and still the linear layer: within int8 error of fp32 (both sentences, each at its own scale); 8-bit codes
    # would saturate the int16 pair sums of AVX2 kernels here (quantize_dynamic's graph: 21% of the range off)
    for x in (quiet, loud):
        expected = run(fp32, x)
        assert np.abs(run(int8, x) - expected).max() < 0.03 * np.abs(expected).max()
    assert quantize_activations_per_token(int8) == 0  # rewritten once


def test_per_token_package_rewrite(graphs, tmp_path):
    _, int8, _, _ = graphs
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    os.replace(int8, pkg / "model.onnx")
    meta = {"id": "p", "encoder": {"kind": "transformer", "weights": "int8"}, "graph": {"file": "model.onnx"}}
    (pkg / "model.json").write_text(json.dumps(meta))
    out = per_token_int8(str(pkg), str(tmp_path / "out"))
    written = json.load(open(os.path.join(out, "model.json")))
    assert written["encoder"]["activations"] == "per-token" and len(written["graph"]["sha256"]) == 64
    with pytest.raises(ValueError, match="per token already"):
        per_token_int8(out, str(tmp_path / "again"))
    assert not os.path.exists(tmp_path / "again")
    meta["encoder"]["weights"] = "fp16"
    (pkg / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="not int8"):
        per_token_int8(str(pkg), str(tmp_path / "fp16"))
