"""erlens-train: vectors | train | tune | average | eval | export | ensemble | half-weights | per-token-int8 | int8-weights | four-bit-tables | card | tiny | pretrain | fixtures | bench | bench-encoder (training/README.md)."""
import argparse
import importlib
import json
import os
import sys


# subcommand -> module whose main(argv) handles it
SELF_PARSING = {"vectors": "vectors", "pretrain": "pretrain", "tune": "tune", "card": "card", "tiny": "tiny", "fixtures": "decoder_fixtures", "bench": "bench", "router": "router",
               "bench-encoder": "bench_encoder", "average": "average"}


# package rewrites (package_rewrite.py; the function is the command's name with underscores)
PACKAGE_REWRITES = {
    "half-weights": "a package with its fp32 weights stored as fp16",
    "per-token-int8": "an int8 package's activations quantised per token, not per call (batch-independent)",
    "int8-weights": "a package's fp16-stored weights stored as int8 per row (folded back to fp32 at load)",
    "four-bit-tables": "a package's pretrained-encoder word table stored as 4-bit codes per row block",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SELF_PARSING:
        # these commands parse their own arguments; import them only when asked for
        module = importlib.import_module("." + SELF_PARSING[argv[0]], __package__)
        return module.main(argv[1:])
    p = argparse.ArgumentParser(prog="erlens-train")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train one model from a JSON config")
    t.add_argument("--config", required=True)
    t.add_argument("--resume", action="store_true", help="continue from the run folder's last.pt")
    t.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="override a top-level config field")
    t.add_argument("--feedback", nargs="+", metavar="FILE", help="editor corrections (.erlens/feedback.jsonl) to train on too")
    t.add_argument("--feedback-weight", type=float, default=5.0, help="loss weight of a corrected sentence (default 5)")
    t.add_argument("--from", dest="init_from", metavar="RUN", help="start from this run's weights and vocabulary (fine-tune)")
    e = sub.add_parser("eval", help="score a trained run (PyTorch) on a JSONL file, strict")
    e.add_argument("--run", required=True)
    e.add_argument("--data", required=True)
    e.add_argument("--report")
    x = sub.add_parser("export", help="write a model package (ONNX + model.json + vocabulary)")
    x.add_argument("--run", required=True)
    x.add_argument("--out", required=True)
    x.add_argument("--id")
    x.add_argument("--word-table", choices=["fp32", "fp16", "int8"], default="fp16")
    x.add_argument("--parity", help="write PyTorch outputs for the parity check here (JSON)")
    n = sub.add_parser("ensemble", help="join packages of one task into one package averaging their outputs")
    n.add_argument("--members", nargs="+", required=True, metavar="PACKAGE")
    n.add_argument("--out", required=True)
    n.add_argument("--id")
    for cmd, help_text in PACKAGE_REWRITES.items():
        rw = sub.add_parser(cmd, help=help_text + " (writes a new package folder: compare on dev first)")
        rw.add_argument("--package", required=True)
        rw.add_argument("--out", required=True)
    sub.add_parser("vectors", help="train word vectors on the corpus (see --help of that command)")
    sub.add_parser("pretrain", help="ELECTRA-style pretraining of ERlens' own encoder")
    sub.add_parser("tune", help="choose decoding thresholds and pair policy on dev")
    sub.add_parser("average", help="a run whose weights are the mean of some of its epochs' (keep_epochs)")
    sub.add_parser("card", help="write a package's model card from its measured scores")
    sub.add_parser("tiny", help="write a tiny real package for tests (see --help of that command)")
    sub.add_parser("bench", help="PyTorch sentences per second of a run on a JSONL file")
    sub.add_parser("router", help="train the domain router (models/domains.json) on the corpus")
    sub.add_parser("fixtures", help="write the decoder fixtures in spec/fixtures (Python decoding = expected)")
    args = p.parse_args(argv)

    import torch
    torch.set_num_threads(int(os.environ.get("ERLENS_THREADS", "2")))
    if args.cmd == "train":
        from .train import train
        overrides = {}
        for kv in args.set:
            k, _, v = kv.partition("=")
            overrides[k] = json.loads(v)
        train(args.config, resume=args.resume, overrides=overrides, feedback=args.feedback,
              feedback_weight=args.feedback_weight, init_from=args.init_from)
    elif args.cmd == "eval":
        from .build import rebuild_from_run
        from .data import load_jsonl
        from .metrics import headline
        from .predict import evaluate
        cfg, schema, feat, model = rebuild_from_run(args.run)
        report = evaluate(model, feat, load_jsonl(args.data), cfg["decode"], schema)
        if args.report:
            with open(args.report, "w", encoding="utf-8") as f:
                json.dump(report, f, indent=2)
        h = headline(report)
        print("ner_micro=%.2f re_micro=%.2f ner_macro=%.2f re_macro=%.2f"
              % (h["ner_micro"], h["re_micro"], h["ner_macro"], h["re_macro"]))
    elif args.cmd == "export":
        from .export import export_run
        export_run(args.run, args.out, package_id=args.id, word_table=args.word_table, parity_path=args.parity)
    elif args.cmd == "ensemble":
        from .ensemble import ensemble
        print(ensemble(args.members, args.out, package_id=args.id))
    elif args.cmd in PACKAGE_REWRITES:
        from . import package_rewrite
        print(getattr(package_rewrite, args.cmd.replace("-", "_"))(args.package, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
