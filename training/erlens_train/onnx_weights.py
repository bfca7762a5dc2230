"""Smaller stored weights for an exported graph (int8: a pretrained encoder; fp16: any graph; then int8 storage
of the fp16 weights, `store_int8`, and 4-bit storage of a pretrained encoder's word table, `store_tables_4bit`).

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


TABLE_4BIT_SUFFIX = "__4bit"  # a packed table's name: the 8-bit table's + this (its block minimums and steps: + "_min", "_step")
# which tables: a pretrained encoder's word embeddings (transformers' BertEmbeddings name, as quantize_int8 stored
# them). Measured on CoNLL04 dev: MiniLM's table in 4 bits left `mge-conll04-mix` at RE 66.45 (NER +0.1); the
# fastText tables of the wordchar encoders cost 0.5-0.9 RE in 4 bits (`mge-conll04` 61.44 -> 60.90), so they keep 8.
TABLE_4BIT_NAME = "embeddings.word_embeddings."
TABLE_4BIT_BLOCK = 32  # largest block of a row sharing one scale (the block is the largest divisor of the width <= this)
NIBBLE_LEVELS = 15  # a 4-bit code n in 0..15 stands for block minimum + n * block step


def table_block(width):
    return max(b for b in range(1, TABLE_4BIT_BLOCK + 1) if width % b == 0)


def pack_table_4bit(codes, zero_point):
    """An int8/uint8 table's codes [V, D] (centred on zero_point) as 4-bit codes, two per byte ([V, D/2] uint8,
    the even column in the low nibble), with an fp16 minimum and step per row block ([V, D/block] each):
    affine per block, so the 16 levels span each block's own range (relative error 0.079 on MiniLM's table
    where symmetric blocks gave 0.097). Returns (packed, minimums, steps, block)."""
    v, d = codes.shape
    if d % 2:
        raise ValueError("a 4-bit table needs an even row width, not %d" % d)
    block = table_block(d)
    blocks = (codes.astype(np.float32) - zero_point).reshape(v, d // block, block)
    minimums = blocks.min(axis=2).astype(np.float16)
    steps = ((blocks.max(axis=2) - minimums.astype(np.float32)) / NIBBLE_LEVELS).astype(np.float16)
    safe = np.where(steps > 0, steps.astype(np.float32), 1.0)[:, :, None]
    nibbles = np.clip(np.round((blocks - minimums.astype(np.float32)[:, :, None]) / safe), 0, NIBBLE_LEVELS)
    nibbles = nibbles.astype(np.uint8).reshape(v, d)
    return (nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)).astype(np.uint8), minimums, steps, block


def table_zero_point(graph, inits, table, consumers):
    """The code that stands for 0.0 in an 8-bit table: 0 for int8; for uint8 the scalar zero point of the
    DequantizeLinear that reads the gathered codes (quantize_dynamic's embedding Gathers)."""
    from onnx import TensorProto, numpy_helper
    if table.data_type == TensorProto.INT8:
        return 0
    zps = {tuple(numpy_helper.to_array(inits[n.input[2]]).reshape(-1)) for g in consumers
           for n in graph.node if n.op_type == "DequantizeLinear" and n.input[0] == g.output[0] and len(n.input) > 2}
    if len(zps) != 1 or len(next(iter(zps))) != 1:
        raise ValueError("%s: uint8 table without one scalar DequantizeLinear zero point" % table.name)
    return int(next(iter(zps))[0])


def block_values(p, table, ids, last, what):
    """Nodes gathering the ids' rows of a [V, blocks] fp16 table as fp32 [..., blocks, 1] named p + what."""
    from onnx import TensorProto, helper
    return [helper.make_node("Gather", [table, ids], [p + what + "16"], name=p + what + "_gather"),
            helper.make_node("Cast", [p + what + "16"], [p + what + "_f"], to=TensorProto.FLOAT, name=p + what + "_f"),
            helper.make_node("Unsqueeze", [p + what + "_f", last], [p + what], name=p + what)]


def store_tables_4bit(path):
    """A pretrained encoder's 8-bit word embeddings (quantize_int8's; see TABLE_4BIT_NAME) stored as 4-bit codes
    with an fp16 minimum and step per row block, and unpacked after the Gather back into 8-bit codes (rounded),
    so the dequantisation that follows is untouched. Only the gathered rows are unpacked: a few elementwise
    nodes per sentence.

    Why our own and not ONNX Runtime's: its 4-bit embedding (GatherBlockQuantized, via the library's
    MatMul4BitsQuantizer) needs opset 21, and the library's forced version upgrade left these graphs invalid
    (ReduceMax's axes moved from attribute to input); the unpacking here is opset-13 arithmetic (Floor, Mul,
    Sub), so the graph keeps its opset. Returns the number of tables rewritten."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    model = onnx.load(path)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    gathers = {}
    for n in g.node:
        t = inits.get(n.input[0]) if n.op_type == "Gather" else None
        if (t is not None and TABLE_4BIT_NAME in t.name and t.data_type in (TensorProto.INT8, TensorProto.UINT8)
                and len(t.dims) == 2 and not [a for a in n.attribute if a.name == "axis" and a.i]):
            gathers.setdefault(t.name, []).append(n)
    for name, consumers in gathers.items():
        table = inits[name]
        codes = numpy_helper.to_array(table)
        zero = table_zero_point(g, inits, table, consumers)
        packed, minimums, steps, block = pack_table_4bit(codes, zero)
        d = codes.shape[1]
        packed_name, min_name, step_name = (name + TABLE_4BIT_SUFFIX + suffix for suffix in ("", "_min", "_step"))
        g.initializer.remove(table)
        g.initializer.extend([numpy_helper.from_array(packed, packed_name), numpy_helper.from_array(minimums, min_name),
                              numpy_helper.from_array(steps, step_name)])
        lo, hi = (np.iinfo(codes.dtype).min, np.iinfo(codes.dtype).max)
        consts = {"16": 16.0, "centre": float(zero), "lo": float(lo), "hi": float(hi),
                  "blocks": np.array([d // block, block], np.int64), "width": np.array([d], np.int64), "last": np.array([-1], np.int64)}
        # one set per table, named after its first Gather, however many Gathers read it
        const = {k: consumers[0].name + TABLE_4BIT_SUFFIX + "/const_" + k for k in consts}
        g.initializer.extend([numpy_helper.from_array(np.float32(val) if isinstance(val, float) else val, const[k])
                              for k, val in consts.items()])
        for gather in consumers:
            p = gather.name + TABLE_4BIT_SUFFIX + "/"
            ids, out = gather.input[1], gather.output[0]
            nodes = [
                helper.make_node("Gather", [packed_name, ids], [p + "bytes"], name=p + "gather"),
                helper.make_node("Cast", [p + "bytes"], [p + "bytes_f"], to=TensorProto.FLOAT, name=p + "bytes_f"),
                helper.make_node("Div", [p + "bytes_f", const["16"]], [p + "hi_f"], name=p + "hi_div"),
                helper.make_node("Floor", [p + "hi_f"], [p + "hi"], name=p + "hi"),
                helper.make_node("Mul", [p + "hi", const["16"]], [p + "hi16"], name=p + "hi16"),
                helper.make_node("Sub", [p + "bytes_f", p + "hi16"], [p + "lo"], name=p + "lo"),
                helper.make_node("Unsqueeze", [p + "lo", const["last"]], [p + "lo1"], name=p + "lo1"),
                helper.make_node("Unsqueeze", [p + "hi", const["last"]], [p + "hi1"], name=p + "hi1"),
                helper.make_node("Concat", [p + "lo1", p + "hi1"], [p + "pairs"], axis=-1, name=p + "pairs"),
                helper.make_node("Shape", [ids], [p + "ids_shape"], name=p + "ids_shape"),
                helper.make_node("Concat", [p + "ids_shape", const["blocks"]], [p + "block_shape"], axis=0, name=p + "block_shape"),
                helper.make_node("Reshape", [p + "pairs", p + "block_shape"], [p + "nibbles"], name=p + "nibbles"),
                *block_values(p, step_name, ids, const["last"], "step"),
                *block_values(p, min_name, ids, const["last"], "min"),
                helper.make_node("Mul", [p + "nibbles", p + "step"], [p + "scaled"], name=p + "scaled"),
                helper.make_node("Add", [p + "scaled", p + "min"], [p + "centred"], name=p + "centred"),
                helper.make_node("Concat", [p + "ids_shape", const["width"]], [p + "row_shape"], axis=0, name=p + "row_shape"),
                helper.make_node("Reshape", [p + "centred", p + "row_shape"], [p + "rows"], name=p + "rows"),
                helper.make_node("Add", [p + "rows", const["centre"]], [p + "codes_f"], name=p + "codes_f"),
                helper.make_node("Round", [p + "codes_f"], [p + "rounded"], name=p + "rounded"),
                helper.make_node("Clip", [p + "rounded", const["lo"], const["hi"]], [p + "clipped"], name=p + "clipped"),
                helper.make_node("Cast", [p + "clipped"], [out], to=table.data_type, name=p + "codes"),
            ]
            at = list(g.node).index(gather)
            g.node.remove(gather)
            for i, node in enumerate(nodes):
                g.node.insert(at + i, node)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return len(gathers)


INT8_SUFFIX = "__int8"  # an int8-stored weight's name: the fp16-stored one's base name + this (its scales: + "_scale")


def store_int8(path):
    """Every weight stored as fp16 (`store_fp16`) stored as int8 codes with an fp16 scale per row (symmetric,
    over the last axis), followed by Cast and Mul back to the fp32 tensor. The nodes read constants only, so
    ONNX Runtime folds them when the session is created: the operators compute in fp32 exactly as before, on
    weights rounded to 8 bits per row (relative error about 0.3%); half of fp16's bytes. Tensors with one row
    (biases) keep fp16, and so do tensors of one column (an Int8Embedding's row scales): a code and a scale
    per value would outweigh the fp16 value. Returns the number of weights rewritten."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    model = onnx.load(path)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    casts = {}  # fp16 weight -> the Cast nodes reading it (an ensemble's members may share one)
    for node in g.node:
        src = inits.get(node.input[0]) if node.op_type == "Cast" else None
        if src is not None and src.name.endswith(FP16_SUFFIX) and len(src.dims) >= 2 and np.prod(src.dims[:-1]) >= 2 \
                and src.dims[-1] >= 2:
            casts.setdefault(src.name, []).append(node)
    for name, readers in casts.items():
        src = inits[name]
        w = numpy_helper.to_array(src).astype(np.float32)
        scale = (np.abs(w).max(axis=-1, keepdims=True) / 127.0).astype(np.float16)
        safe = np.where(scale > 0, scale.astype(np.float32), 1.0)
        codes = np.clip(np.round(w / safe), -127, 127).astype(np.int8)
        q = name[: -len(FP16_SUFFIX)] + INT8_SUFFIX
        s = q + "_scale"
        g.initializer.remove(src)
        g.initializer.extend([numpy_helper.from_array(codes, q), numpy_helper.from_array(scale, s)])
        for node in readers:
            out = node.output[0]
            i = list(g.node).index(node)
            g.node.remove(node)
            for k, n in enumerate([
                    helper.make_node("Cast", [q], [out + "__int8_f"], to=TensorProto.FLOAT, name=out + "__int8_cast"),
                    helper.make_node("Cast", [s], [out + "__scale_f"], to=TensorProto.FLOAT, name=out + "__scale_cast"),
                    helper.make_node("Mul", [out + "__int8_f", out + "__scale_f"], [out], name=out + "__int8_scale")]):
                g.node.insert(i + k, n)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return len(casts)
