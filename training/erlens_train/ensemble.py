"""Several packages of one task as one package: their graphs side by side in one ONNX graph, each output the
mean of the members' (`erlens-train ensemble`).

Why one graph: the server runs it as any package (one session, one featurizer, one decoder) and nothing in
the editor needs to know; averaging the probabilities of independently trained models is the oldest way to
get a model that is both more accurate and better calibrated than each member, which is what a confidence
floor needs. Why here and not in PyTorch: a member may be a shipped package whose training run is gone; the
graphs are all there is. The members must read the same words the same way (identical word and character
vocabularies; a gazetteer input may come from any member) and produce the same outputs for the same decoder;
the graphs are joined with `onnx.compose.add_prefix`, every name but the shared inputs prefixed per member.

`wordchar` and `hybrid` members may be mixed: a hybrid graph reads the wordchar inputs of the same words
under other names (its `word_ids` are a wordchar graph's `input_ids`, `spec/featurizer.md`), so a wordchar
member's `input_ids` is renamed `word_ids` and the joined package is a hybrid one (its tokenizer and window
from the hybrid members). Why mix: a fine-tuned transformer and a word-vector model err differently, which is
what averaging needs; the transformer alone ties the word-vector model on relations.
"""
import json
import os
import shutil

import onnx
from onnx import compose, helper, numpy_helper

from . import package_files
from .checksums import file_sha256
from .onnx_weights import FP16_SUFFIX, INT8_SUFFIX, TABLE_4BIT_SUFFIX

# span_trim too: the joined package keeps one set of span rules, and a member exported before the rules
# changed would otherwise bring its old ones silently (it happened: mge-clinical, 2026-12-07)
SAME_META = ("format", "architecture", "decoder", "entity_types", "relation_types", "symmetric_relations", "outputs",
             "span_trim")
SAME_FILES = ("vocab.words.txt", "vocab.chars.json")
# graph-entry counts the package rewrites record, with the name suffix of what each stores
STORAGE_COUNTS = (("fp16_initializers", FP16_SUFFIX), ("int8_initializers", INT8_SUFFIX), ("tables_4bit", TABLE_4BIT_SUFFIX))
KINDS = ("wordchar", "hybrid")
HYBRID_FILES = ("tokenizer.json",)  # what hybrid members must share besides SAME_FILES


def _meta(folder):
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        return json.load(f)


def check_members(folders):
    """The members' model.json, or ValueError saying why they cannot be one package."""
    if len(folders) < 2:
        raise ValueError("an ensemble needs at least two packages")
    metas = [_meta(f) for f in folders]
    first = metas[0]
    for folder, meta in zip(folders[1:], metas[1:]):
        for key in SAME_META:
            if meta.get(key) != first.get(key):
                raise ValueError("%s and %s differ in %s: %r vs %r" % (folders[0], folder, key, first.get(key), meta.get(key)))
    for folder, meta in zip(folders, metas):
        if _kind(meta) not in KINDS:
            raise ValueError("%s: only %s packages can share inputs (encoder kind %r)"
                             % (folder, " and ".join(KINDS), _kind(meta)))
        if meta.get("stages"):
            raise ValueError("%s: a package of several graph stages cannot be joined" % folder)
    hybrids = [f for f, m in zip(folders, metas) if _kind(m) == "hybrid"]
    for name, group in [(n, folders) for n in SAME_FILES] + [(n, hybrids) for n in HYBRID_FILES]:
        if len({_read_bytes(folder, name) for folder in group}) > 1:
            raise ValueError("the members' %s differ: they must read the same word ids" % name)
    # the joined graph has one gazetteer_ids input: members that read one must read the same list
    gazetteers = {package_files.read_text(f, m["encoder"]["gazetteer"]["file"]) for f, m in zip(folders, metas)
                  if m["encoder"].get("gazetteer")}
    if len(gazetteers) > 1:
        raise ValueError("the members' gazetteers differ: the joined graph has one gazetteer input")
    return metas


def _kind(meta):
    return (meta.get("encoder") or {}).get("kind")


def _rename_input(model, old, new, axes):
    """The graph input `old` called `new` (with the symbolic axis names `axes`), in every node that reads
    it, loop bodies included."""
    def rewrite(graph):
        for node in graph.node:
            node.input[:] = [new if x == old else x for x in node.input]
            for attr in node.attribute:
                if attr.HasField("g"):
                    rewrite(attr.g)
                for sub in attr.graphs:
                    rewrite(sub)
    for i in model.graph.input:
        if i.name == old:
            i.name = new
            for dim, axis in zip(i.type.tensor_type.shape.dim, axes):
                dim.dim_param = axis
    rewrite(model.graph)
    return model


def _read_bytes(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


def join_graphs(models, outputs):
    """One ModelProto: each member's nodes and weights under its own prefix, the inputs shared, and every
    output the Mean of the members' outputs of that name."""
    nodes, inits, infos, inputs = [], [], [], {}
    sources = {name: [] for name in outputs}
    for k, model in enumerate(models):
        prefixed = compose.add_prefix(model, "m%d/" % k, rename_inputs=False, rename_outputs=True)
        g = prefixed.graph
        means = _ensemble_means(g, "m%d/" % k)
        dropped = {m.name for m in means.values()}
        nodes.extend(n for n in g.node if n.name not in dropped)
        inits.extend(g.initializer)
        infos.extend(g.value_info)
        for i in g.input:
            inputs.setdefault(i.name, i)
        for name in outputs:
            node = means.get("m%d/%s" % (k, name))
            sources[name].extend(node.input if node is not None else ["m%d/%s" % (k, name)])
    inits = _shared_weights(inits, nodes)
    out_infos = {o.name: o for o in models[0].graph.output}
    for name in outputs:
        nodes.append(helper.make_node("Mean", sources[name], [name], name="ensemble/mean/" + name))
    graph = helper.make_graph(nodes, "erlens-ensemble", list(inputs.values()), [out_infos[n] for n in outputs],
                              initializer=inits, value_info=infos)
    # every member's operator sets (an int8 member adds com.microsoft's MatMulIntegerToFloat)
    opsets = {}
    for m in models:
        for o in m.opset_import:
            opsets[o.domain] = max(opsets.get(o.domain, 0), o.version)
    joined = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())],
                               producer_name="erlens-train ensemble")
    joined.ir_version = max(m.ir_version for m in models)
    onnx.checker.check_model(joined)
    return joined


def _ensemble_means(graph, prefix):
    """A member that is itself an ensemble: its final Mean nodes by output name. The joined graph drops them
    and averages their inputs with the other members' outputs, so every leaf model weighs the same (a
    Mean of a Mean would give the new member half the vote)."""
    return {n.output[0]: n for n in graph.node
            if n.op_type == "Mean" and n.name.startswith(prefix + "ensemble/mean/")}


def _leaf_members(meta):
    """The models a member package stands for: its own ensemble's members, or itself."""
    if meta.get("ensemble"):
        return list(meta["ensemble"]["members"])
    return [{"id": meta["id"], "graph_sha256": (meta.get("graph") or {}).get("sha256"), "training": meta.get("training")}]


def _shared_weights(inits, nodes):
    """Identical weights stored once: members trained on the same vectors hold the same frozen word table
    (5 MB as int8), which the joined graph needs only once. References are renamed in every node, loop
    bodies included."""
    import hashlib
    first, rename, kept = {}, {}, []
    for init in inits:
        values = numpy_helper.to_array(init)
        key = (init.data_type, tuple(init.dims), hashlib.sha256(values.tobytes()).hexdigest())
        if key in first and values.nbytes >= 1024:
            rename[init.name] = first[key]
        else:
            first.setdefault(key, init.name)
            kept.append(init)

    def rewrite(node_list):
        for node in node_list:
            for i, name in enumerate(node.input):
                if name in rename:
                    node.input[i] = rename[name]
            for attr in node.attribute:
                if attr.HasField("g"):
                    rewrite(attr.g.node)
                for sub in attr.graphs:
                    rewrite(sub.node)
    rewrite(nodes)
    return kept


def ensemble(folders, out_dir, package_id=None):
    """Writes the joined package to out_dir; model.json is the first member's with the joined graph, the
    union of inputs, and an `ensemble` note naming the members. Decoding thresholds stay the first
    member's: tune them on dev through `erlens eval`."""
    metas = check_members(folders)
    models = [onnx.load(os.path.join(f, (m.get("graph") or {}).get("file", "model.onnx"))) for f, m in zip(folders, metas)]
    # the package kind, tokenizer and window come from the first hybrid member when there is one
    base = next((k for k, m in enumerate(metas) if _kind(m) == "hybrid"), 0)
    if _kind(metas[base]) == "hybrid":
        models = [_rename_input(m, "input_ids", "word_ids", ("batch", "words")) if _kind(meta) == "wordchar" else m
                  for m, meta in zip(models, metas)]
    for f, m in zip(folders, models):
        if [o.name for o in m.graph.output] != list(metas[0]["outputs"]):
            raise ValueError("%s: the graph's outputs are not model.json's %r" % (f, metas[0]["outputs"]))
    joined = join_graphs(models, metas[0]["outputs"])
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    # The first member that has a gazetteer gives its file and encoder note (the joined graph reads its input).
    with_gazetteer = next((k for k, m in enumerate(metas) if (m.get("encoder") or {}).get("gazetteer")), None)
    meta = json.loads(json.dumps(metas[base]))
    for key in ("thresholds", "decoding", "pair_policy", "span_trim", "relation_arguments", "domain"):
        if key in metas[0]:
            meta[key] = metas[0][key]
    # the joined graph windows as its tightest member (a wordchar package's max_words is its LSTM's window)
    for key in ("max_words", "max_subwords"):
        meta[key] = min(m.get(key) or m["max_words"] for m in metas)
    if with_gazetteer is not None:
        meta["encoder"]["gazetteer"] = metas[with_gazetteer]["encoder"]["gazetteer"]
        name = meta["encoder"]["gazetteer"]["file"]
        shutil.copyfile(os.path.join(folders[with_gazetteer], name), os.path.join(out_dir, name))
    for name in SAME_FILES + (HYBRID_FILES if _kind(meta) == "hybrid" else ()):
        shutil.copyfile(os.path.join(folders[base], name), os.path.join(out_dir, name))
    onnx.save(joined, os.path.join(out_dir, "model.onnx"))
    meta["inputs"] = [i.name for i in joined.graph.input]
    meta["id"] = package_id or meta["id"]
    meta["graph"] = dict(meta.get("graph") or {}, file="model.onnx", sha256=file_sha256(os.path.join(out_dir, "model.onnx")))
    # Members all rewritten by a package rewrite (`half-weights`, `int8-weights`, `four-bit-tables`): the joined
    # graph's count (shared weights stored once). Otherwise none is claimed (the base member's count is not the
    # joined graph's), and the rewrite may run on the joined package (it counts what it finds).
    for key, suffix in STORAGE_COUNTS:
        if all((m.get("graph") or {}).get(key) for m in metas):
            meta["graph"][key] = sum(1 for i in joined.graph.initializer if i.name.endswith(suffix))
        else:
            meta["graph"].pop(key, None)
    meta["parameters"] = sum(m.get("parameters", 0) for m in metas)
    meta["ensemble"] = {
        "how": "each output is the mean of the members' outputs (one ONNX graph)",
        "members": [leaf for m in metas for leaf in _leaf_members(m)],
    }
    meta["dev_scores"] = {}  # the members' scores are not the ensemble's: `card` adds the measured ones
    with open(os.path.join(out_dir, "model.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return out_dir
