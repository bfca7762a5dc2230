"""Smaller stored weights for an exported graph (int8: a pretrained encoder; fp16: any graph).

int8: ONNX Runtime's dynamic quantization (onnxruntime.quantization.quantize_dynamic), limited to the
pretrained encoder's nodes (its MatMuls and the word-embedding Gather): they hold nearly all the
weights, and the small head stays fp32, where its sigmoid tables are most sensitive. Its activations are
then re-quantised per token (`quantize_activations_per_token`, below).

Why per token: quantize_dynamic quantises a MatMul's input with one scale for the whole tensor, that is
over every sentence of an ONNX Runtime call, so a sentence's result depended on the sentences batched with it
(14 of 231 CoNLL04 dev sentences had other entities from `mge-conll04-mix` batched than alone), and the
server had to run such a graph one sentence per call. The library has no per-row option (its MatMulNBits
8-bit kernels quantise activations per block of a row, but ran slower than fp32 here). So the weights stay as
quantize_dynamic stored them and each DynamicQuantizeLinear is replaced by a symmetric per-token quantiser
(scale = max |x| over the token's features / 63, zero point 64: 7-bit codes, see CODE_LEVELS): a token's codes
depend on that token alone, the integer products are exact, and the result is the same batched or alone,
padded or not. `mge-conll04-mix`, CoNLL04 dev NER / RE: 84.79 / 64.38 quantised per call (and run one
sentence per call), 84.89 / 66.45 per token, batched.

fp16: initializers stored as fp16, each followed by a Cast back to fp32, so every operator still computes
in fp32 (half the size, outputs within about 1e-3). ONNX Runtime has no such pass (its float16 converter
runs the whole graph in fp16, which the CPU provider does not support for every operator), so it is
our own, a dozen lines over the `onnx` graph API.
"""
import os

import numpy as np

# node names the TorchScript exporter gives the pretrained encoder (transformer kind; hybrid kind)
ENCODER_PREFIXES = ("/model/encoder/embeddings/", "/model/encoder/layer.", "/model/encoder/transformer/")


def quantize_int8(path):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    model = onnx.load(path)
    weights = {i.name for i in model.graph.initializer}
    # MatMuls by a weight matrix and Gathers from an embedding table, inside the pretrained encoder
    nodes = [n.name for n in model.graph.node if n.name.startswith(ENCODER_PREFIXES) and (
        (n.op_type == "MatMul" and n.input[1] in weights) or (n.op_type == "Gather" and n.input[0] in weights))]
    if not nodes:
        raise ValueError("%s: no encoder MatMul/Gather nodes to quantize" % path)
    tmp = path + ".int8"
    quantize_dynamic(path, tmp, weight_type=QuantType.QInt8, nodes_to_quantize=nodes, per_channel=True,
                     op_types_to_quantize=["MatMul", "Gather"], extra_options={"MatMulConstBOnly": True})
    os.replace(tmp, path)
    quantize_activations_per_token(path)
    return len(nodes)


PER_TOKEN = "per_token_quantization/"  # names of the rewrite's constants
# 7-bit codes: x / scale in [-63, 63], stored as uint8 around 64. Why not 8 bits: ONNX Runtime's uint8 x int8
# kernels on x86 CPUs without VNNI (AVX2, AVX-512F) add pairs of products in int16 (VPMADDUBSW), which
# saturates once two codes near 255 meet full-range weights: quantize_dynamic's own graph of a 64 x 48 Gaussian
# layer came out 21% of its output range off on this machine. Codes below 128 cannot saturate
# (2 x 127 x 127 < 32767), so results are the same on every x86 CPU, at the int8 kernels' speed; the weights
# keep all 8 bits. (Also measured: 8-bit codes with the weights moved to uint8, whose kernels never
# saturate — the same dev scores, 15-40% slower MatMuls.)
CODE_LEVELS = 63
CODE_ZERO_POINT = 64


def quantize_activations_per_token(path):
    """Rewrites every DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(a_scale * b_scale) chain of a
    quantize_dynamic graph into: per-token symmetric 7-bit codes -> MatMulIntegerToFloat (a_scale 1, the
    weights' own scales) -> Mul by the token scale. The token scale is applied after the fused kernel because
    MatMulIntegerToFloat takes a scalar a_scale only (ONNX Runtime's own fusion of the plain chain would
    silently use the first token's scale for all). Returns the number of quantisers rewritten."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    model = onnx.load(path)
    g = model.graph
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    produced_by = {o: n for n in g.node for o in n.output}
    constants = {PER_TOKEN + "levels": np.array(CODE_LEVELS, np.float32),
                 PER_TOKEN + "zero_point_f": np.array(CODE_ZERO_POINT, np.float32),
                 PER_TOKEN + "tiny": np.array(1e-12, np.float32), PER_TOKEN + "one": np.array(1.0, np.float32),
                 PER_TOKEN + "zero_point": np.array(CODE_ZERO_POINT, np.uint8)}
    replaced, dropped = {}, set()
    for n in g.node:
        if n.op_type != "DynamicQuantizeLinear":
            continue
        x, (codes, token_scale, _) = n.input[0], n.output
        p = n.name + "/per_token"
        replaced[n.name] = [
            helper.make_node("Abs", [x], [p + "/abs"], name=p + "/abs"),
            helper.make_node("ReduceMax", [p + "/abs"], [p + "/max"], axes=[-1], keepdims=1, name=p + "/max"),
            helper.make_node("Max", [p + "/max", PER_TOKEN + "tiny"], [p + "/max_nonzero"], name=p + "/max_nonzero"),
            helper.make_node("Div", [p + "/max_nonzero", PER_TOKEN + "levels"], [token_scale], name=p + "/scale"),
            helper.make_node("Div", [x, token_scale], [p + "/scaled"], name=p + "/scaled"),
            helper.make_node("Round", [p + "/scaled"], [p + "/rounded"], name=p + "/rounded"),  # within [-63, 63]
            helper.make_node("Add", [p + "/rounded", PER_TOKEN + "zero_point_f"], [p + "/shifted"], name=p + "/shifted"),
            helper.make_node("Cast", [p + "/shifted"], [codes], to=TensorProto.UINT8, name=p + "/codes"),
        ]
        for matmul in consumers[codes]:
            if matmul.op_type != "MatMulInteger":
                raise ValueError("%s: %s reads %s; only MatMulInteger is expected" % (path, matmul.name, codes))
            (cast,) = consumers[matmul.output[0]]
            (rescale,) = consumers[cast.output[0]]
            scales = produced_by[next(i for i in rescale.input if i != cast.output[0])]
            weight_scale = next(i for i in scales.input if i != token_scale)
            out = rescale.output[0]
            replaced[matmul.name] = [
                helper.make_node("MatMulIntegerToFloat", [codes, matmul.input[1], PER_TOKEN + "one", weight_scale,
                                                          PER_TOKEN + "zero_point", matmul.input[3]],
                                 [out + "/per_column"], name=matmul.name + "/to_float", domain="com.microsoft"),
                helper.make_node("Mul", [out + "/per_column", token_scale], [out], name=matmul.name + "/per_token"),
            ]
            dropped.update([cast.name, rescale.name, scales.name])
    if not replaced:
        return 0
    nodes = []
    for n in g.node:
        if n.name in replaced:
            nodes.extend(replaced[n.name])
        elif n.name not in dropped:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in constants.items())
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return sum(1 for n in nodes if n.name.endswith("/per_token/codes"))


FP16_SUFFIX = "__fp16"  # an fp16-stored initializer's name: the fp32 one's + this (its Cast gives the old name)


def store_fp16(path, min_elements=1024):
    import onnx
    from onnx import helper, numpy_helper
    model = onnx.load(path)
    g = model.graph
    casts, converted = [], 0
    for init in g.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or np.prod(init.dims) < min_elements:
            continue
        arr = numpy_helper.to_array(init)
        name = init.name
        half = name + FP16_SUFFIX
        init.CopyFrom(numpy_helper.from_array(arr.astype(np.float16), half))
        casts.append(helper.make_node("Cast", [half], [name], to=onnx.TensorProto.FLOAT, name=name + "__cast"))
        converted += 1
    for i, node in enumerate(casts):
        g.node.insert(i, node)
    onnx.save(model, path)
    return converted
