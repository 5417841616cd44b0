"""nextest's count partitioning of a ci-intel-tests backtest plan.

    python nextest_count_assign.py PLAN.json PARTITIONS_DIR > ASSIGNMENTS.json
    python nextest_count_assign.py PLAN.json --emulate > ASSIGNMENTS.json

With PARTITIONS_DIR: `count-K-of-N.txt` files hold the tests the real
`cargo nextest list --partition count:K/N` selected, one `binary-id
test::name` per line (scripts/bench-tests.sh record writes them at the
recorded commit).

With --emulate: nextest's rule applied to tests nextest cannot run (such as
PyTorch's files): within each binary (the part of the id before a space;
one group when there is none), tests in sorted order go round-robin to
shards 1..N. scripts/bench-tests.sh checks the emulation against the real
partitions of this repository's suite.

nextest predicts nothing: `predicted_ms` is null, and the backtest measures
the equal share it assumes.
"""

import json
import os
import sys
from collections import defaultdict


def emulate(items, n):
    by_binary = defaultdict(list)
    for item in items:
        binary = item.split(" ", 1)[0] if " " in item else ""
        by_binary[binary].append(item)
    shards = [[] for _ in range(n)]
    for binary in sorted(by_binary):
        for i, item in enumerate(sorted(by_binary[binary])):
            shards[i % n].append(item)
    return shards


def main() -> None:
    plan_path, source = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    n = plan["shards"]
    recorded = None
    if source != "--emulate":
        recorded = []
        for k in range(1, n + 1):
            with open(os.path.join(source, f"count-{k}-of-{n}.txt")) as f:
                recorded.append([line.strip() for line in f if line.strip()])
    steps = []
    for step in plan["steps"]:
        shards = recorded if recorded is not None else emulate(step["items"], n)
        steps.append(
            {
                "run": step["run"],
                "shards": [{"tests": tests, "predicted_ms": None} for tests in shards],
            }
        )
    name = "nextest --partition count" if recorded is not None else "count round-robin (nextest's rule)"
    json.dump({"strategy": f"{name}, {n} shards", "steps": steps}, sys.stdout)


if __name__ == "__main__":
    main()
