"""ERlens over a corpus on Apache Spark: JSONL document shards in, JSONL annotation shards out.

    .venv/bin/spark-submit --master 'local[2]' spark/erlens_spark.py --input 'docs/*.jsonl' --output results/

Each partition of the input is piped through one long-lived `erlens stream` process (Node.js), which
loads the models once and writes one record per document, in input order (server/src/cli/stream.ts);
Spark does the rest: splitting the shards, scheduling a task per partition on the executors, retrying a
task whose executor or ERlens process died (its partial output is discarded, so each document is in the
output exactly once), and writing `part-*` files. ERlens has no cluster code of its own.

Input lines are `{"id": ..., "text": ...}` (or `"path"`, a file every executor can read); output lines
are the records of `erlens stream`: "id", "line", the document's entities and relations with offsets,
or "error" for a document that could not be annotated (the job goes on).

Every executor needs Node.js 20 and an ERlens installation (this repository after `npm ci && npm run
build`, with its models/): at the same path on every node (`--erlens`), or shipped with the job
(`spark-submit --archives erlens.tar.gz#erlens ... --erlens erlens/bin/erlens`). README, "Corpus scale".
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", required=True, help="JSONL documents: a file, folder or glob Spark can read")
    p.add_argument("--output", required=True, help="folder for the part-* result files (must not exist)")
    p.add_argument("--master", default=None, help="Spark master when not given by spark-submit, e.g. local[2]")
    p.add_argument("--partitions", type=int, default=None, help="at least this many input partitions (tasks)")
    p.add_argument("--erlens", default=os.path.join(REPO_ROOT, "bin", "erlens"), help="the erlens launcher on the executors")
    p.add_argument("--node", default="node", help="Node.js 20 on the executors")
    p.add_argument("--model", action="append", default=[], help="a package id or folder (repeatable; default: the default models)")
    p.add_argument("--models-dir", action="append", default=[], help="more folders holding packages (repeatable)")
    p.add_argument("--threads", type=int, default=1,
                   help="ONNX Runtime threads per ERlens process (default 1: one process per core scales best)")
    p.add_argument("--concurrency", type=int, default=None, help="documents in flight per ERlens process")
    p.add_argument("--assertions", default=None, help="all | affirmed | present (as erlens stream)")
    p.add_argument("--fail-first-attempt", type=int, default=None, metavar="N",
                   help="testing only: on each task's first attempt, kill its ERlens process after N records")
    return p.parse_args(argv)


def stream_command(args):
    cmd = [args.node, args.erlens, "stream", "--quiet", "--threads", str(args.threads)]
    for m in args.model:
        cmd += ["--model", m]
    for d in args.models_dir:
        cmd += ["--models-dir", d]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    if args.assertions:
        cmd += ["--assertions", args.assertions]
    return cmd


class ErlensTaskError(RuntimeError):
    pass


def annotate_partition(cmd, fail_after=None):
    """The task body: this partition's lines through one `erlens stream` process, records back in order."""

    def run(lines):
        from pyspark import TaskContext

        ctx = TaskContext.get()
        kill_after = fail_after if (fail_after is not None and ctx is not None and ctx.attemptNumber() == 0) else None
        with tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)

            def feed():
                # A separate thread, so that reading the results never waits on writing the input:
                # `erlens stream` reads a line only when it has room, and the pipes apply the backpressure.
                try:
                    for line in lines:
                        proc.stdin.write(line.encode("utf-8") + b"\n")
                except BrokenPipeError:
                    pass
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            written = 0
            for out in proc.stdout:
                if kill_after is not None and written >= kill_after:
                    proc.kill()
                    break
                written += 1
                yield out.decode("utf-8").rstrip("\n")
            code = proc.wait()
            feeder.join(timeout=10)
            if code != 0:
                stderr.seek(0)
                tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
                raise ErlensTaskError("erlens stream exited with %s after %d records: %s" % (code, written, " | ".join(tail)))

    return run


def main(argv=None):
    args = parse_args(argv)
    # Local runs: the workers use this Python (the project's .venv), not whatever python3 is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("erlens").config("spark.ui.enabled", "false")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        sc = spark.sparkContext
        docs = sc.textFile(args.input, minPartitions=args.partitions) if args.partitions else sc.textFile(args.input)
        records = docs.mapPartitions(annotate_partition(stream_command(args), args.fail_first_attempt))
        records.saveAsTextFile(args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
