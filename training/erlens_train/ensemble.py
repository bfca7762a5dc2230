"""Several packages of one task as one package: their graphs side by side in one ONNX graph, each output the
mean of the members' (`erlens-train ensemble`).

Why one graph: the server runs it as any package (one session, one featurizer, one decoder) and nothing in
the editor needs to know; averaging the probabilities of independently trained models is the oldest way to
get a model that is both more accurate and better calibrated than each member, which is what a confidence
floor needs. Why here and not in PyTorch: a member may be a shipped package whose training run is gone; the
graphs are all there is. The members must read the same inputs the same way (wordchar packages with
identical word and character vocabularies; a gazetteer input may come from any member) and produce the same
outputs for the same decoder; the graphs are joined with `onnx.compose.add_prefix`, every name but the
shared inputs prefixed per member.
"""
import json
import os
import shutil

import onnx
from onnx import compose, helper, numpy_helper

from .checksums import file_sha256

SAME_META = ("format", "architecture", "decoder", "entity_types", "relation_types", "symmetric_relations",
             "max_subwords", "max_words", "outputs")
SAME_FILES = ("vocab.words.txt", "vocab.chars.json")


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
        if (meta.get("encoder") or {}).get("kind") != "wordchar":
            raise ValueError("%s: only wordchar packages can share inputs (encoder kind %r)"
                             % (folder, (meta.get("encoder") or {}).get("kind")))
        if meta.get("stages"):
            raise ValueError("%s: a package of several graph stages cannot be joined" % folder)
    for name in SAME_FILES:
        if len({_read_bytes(folder, name) for folder in folders}) > 1:
            raise ValueError("the members' %s differ: they must read the same word ids" % name)
    # the joined graph has one gazetteer_ids input: members that read one must read the same list
    gazetteers = {_read_bytes(f, m["encoder"]["gazetteer"]["file"]) for f, m in zip(folders, metas)
                  if m["encoder"].get("gazetteer")}
    if len(gazetteers) > 1:
        raise ValueError("the members' gazetteers differ: the joined graph has one gazetteer input")
    return metas


def _read_bytes(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


def join_graphs(models, outputs):
    """One ModelProto: each member's nodes and weights under its own prefix, the inputs shared, and every
    output the Mean of the members' outputs of that name."""
    nodes, inits, infos, inputs = [], [], [], {}
    for k, model in enumerate(models):
        prefixed = compose.add_prefix(model, "m%d/" % k, rename_inputs=False, rename_outputs=True)
        g = prefixed.graph
        nodes.extend(g.node)
        inits.extend(g.initializer)
        infos.extend(g.value_info)
        for i in g.input:
            inputs.setdefault(i.name, i)
    inits = _shared_weights(inits, nodes)
    out_infos = {o.name: o for o in models[0].graph.output}
    for name in outputs:
        nodes.append(helper.make_node("Mean", ["m%d/%s" % (k, name) for k in range(len(models))], [name],
                                      name="ensemble/mean/" + name))
    graph = helper.make_graph(nodes, "erlens-ensemble", list(inputs.values()), [out_infos[n] for n in outputs],
                              initializer=inits, value_info=infos)
    joined = helper.make_model(graph, opset_imports=models[0].opset_import, producer_name="erlens-train ensemble")
    joined.ir_version = models[0].ir_version
    onnx.checker.check_model(joined)
    return joined


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
    for f, m in zip(folders, models):
        if [o.name for o in m.graph.output] != list(metas[0]["outputs"]):
            raise ValueError("%s: the graph's outputs are not model.json's %r" % (f, metas[0]["outputs"]))
    joined = join_graphs(models, metas[0]["outputs"])
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    # The first member that has a gazetteer gives its file and encoder note (the joined graph reads its input).
    with_gazetteer = next((k for k, m in enumerate(metas) if (m.get("encoder") or {}).get("gazetteer")), None)
    meta = json.loads(json.dumps(metas[0]))
    if with_gazetteer is not None:
        meta["encoder"]["gazetteer"] = metas[with_gazetteer]["encoder"]["gazetteer"]
        name = meta["encoder"]["gazetteer"]["file"]
        shutil.copyfile(os.path.join(folders[with_gazetteer], name), os.path.join(out_dir, name))
    for name in SAME_FILES:
        shutil.copyfile(os.path.join(folders[0], name), os.path.join(out_dir, name))
    onnx.save(joined, os.path.join(out_dir, "model.onnx"))
    meta["inputs"] = [i.name for i in joined.graph.input]
    meta["id"] = package_id or meta["id"]
    meta["graph"] = dict(meta.get("graph") or {}, file="model.onnx", sha256=file_sha256(os.path.join(out_dir, "model.onnx")))
    meta["parameters"] = sum(m.get("parameters", 0) for m in metas)
    meta["ensemble"] = {
        "how": "each output is the mean of the members' outputs (one ONNX graph)",
        "members": [{"id": m["id"], "graph_sha256": (m.get("graph") or {}).get("sha256"), "training": m.get("training")}
                    for m in metas],
    }
    meta["dev_scores"] = {}  # the members' scores are not the ensemble's: `card` adds the measured ones
    with open(os.path.join(out_dir, "model.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return out_dir
