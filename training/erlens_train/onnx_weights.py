"""Smaller stored weights for an exported graph (int8: a pretrained encoder; fp16: any graph).

int8: ONNX Runtime's dynamic quantization (onnxruntime.quantization.quantize_dynamic), limited to the
pretrained encoder's nodes (its MatMuls and the word-embedding Gather): they hold nearly all the
weights, and the small head stays fp32, where its sigmoid tables are most sensitive.

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
    return len(nodes)


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
