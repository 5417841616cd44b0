"""nextest's count partitioning of a ci-intel-tests backtest plan.

    python nextest_count_assign.py PLAN.json PARTITIONS_DIR > ASSIGNMENTS.json

PARTITIONS_DIR holds `count-K-of-N.txt`: the tests the real
`cargo nextest list --partition count:K/N` selected, one `binary-id
test::name` per line (scripts/bench-tests.sh record writes them at the
recorded commit). nextest predicts nothing: `predicted_ms` is null, and
the backtest measures the equal share it assumes.
"""

import json
import os
import sys


def main() -> None:
    plan_path, partitions = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    n = plan["shards"]
    shards = []
    for k in range(1, n + 1):
        with open(os.path.join(partitions, f"count-{k}-of-{n}.txt")) as f:
            shards.append([line.strip() for line in f if line.strip()])
    steps = [
        {
            "run": step["run"],
            "shards": [{"tests": tests, "predicted_ms": None} for tests in shards],
        }
        for step in plan["steps"]
    ]
    json.dump({"strategy": f"nextest --partition count:K/{n}", "steps": steps}, sys.stdout)


if __name__ == "__main__":
    main()
