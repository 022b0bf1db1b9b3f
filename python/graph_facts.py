"""What a notebook graph is made of, for comparison with the graph the Java builder makes.

    python graph_facts.py [--out graphs/python] [--presets notebook-000,...,best]

Writes <out>/<preset>.json for each preset of notebook_graphs.NOTEBOOKS, built for training with
the notebook's own optimizer:
    variables         every global variable (model, optimizer slots, beta powers, global step):
                      TF1 name -> {"dtype": "float32", "shape": [156, 512]}
    forward_op_types  op type -> count, over the ops the loss depends on through data edges
                      (placeholders, input slicing, the RNN, the output layer, the loss); neither
                      gradients nor the optimizer nor the initializers are on that path
    tensorflow        the TensorFlow version that built the graph
The Java test org.tfrnn.models.PythonGraphFactsTest compares its own graphs with these files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import notebook_graphs as ng  # before anything else imports tensorflow: sets TF1 behaviour
import fixture_io

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "graphs" / "python"


def forward_op_types(loss) -> dict:
    """op type -> count over the ancestors of `loss` (data inputs only), the loss op included."""
    seen, stack = set(), [loss.op]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
    counts: dict[str, int] = {}
    for name in seen:
        op_type = loss.graph.get_operation_by_name(name).type
        counts[op_type] = counts.get(op_type, 0) + 1
    return dict(sorted(counts.items()))


def variables(graph) -> dict:
    with graph.as_default():
        return {v.op.name: {"dtype": v.dtype.base_dtype.name, "shape": v.shape.as_list()}
                for v in ng.tf1.global_variables()}


def facts(g: ng.NotebookGraph) -> dict:
    return {"variables": variables(g.graph), "forward_op_types": forward_op_types(g.loss),
            "tensorflow": ng.tf.__version__}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--presets", default=",".join(ng.NOTEBOOKS))
    args = parser.parse_args(argv)
    presets = [p for p in args.presets.split(",") if p]
    unknown = [p for p in presets if p not in ng.NOTEBOOKS]
    if unknown:
        parser.error(f"unknown presets {unknown}; choose from {', '.join(ng.NOTEBOOKS)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for preset in presets:
        target = out / f"{preset}.json"
        partial = out / f".{preset}.json.part"
        fixture_io.write_json(partial, facts(ng.NOTEBOOKS[preset].build(train=True)))
        partial.replace(target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
