"""Split a ci-intel-tests backtest plan with pytest-split's own algorithms.

    python pytest_split_assign.py PLAN.json ALGORITHM > ASSIGNMENTS.json

PLAN is `ci-intel-tests shard --backtest --export-plan`: per replayed run,
the tests in order (`items`) and the last duration observed for each
before that run (`durations`, seconds: what pytest-split's
`.test_durations` file holds after `--store-durations`). ALGORITHM is one of
pytest-split's (`duration_based_chunks`, its default, or `least_duration`).
The output is what `shard --backtest --evaluate` measures; `predicted_ms`
is pytest-split's own group duration.
"""

import json
import sys
from typing import NamedTuple

from pytest_split.algorithms import Algorithms


class Item(NamedTuple):
    """What pytest-split reads of a pytest item."""

    nodeid: str


def main() -> None:
    plan_path, algorithm = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    split = Algorithms[algorithm].value
    steps = []
    for step in plan["steps"]:
        items = [Item(nodeid) for nodeid in step["items"]]
        groups = split(plan["shards"], items, step["durations"])
        steps.append(
            {
                "run": step["run"],
                "shards": [
                    {
                        "tests": [item.nodeid for item in group.selected],
                        "predicted_ms": group.duration * 1000.0,
                    }
                    for group in groups
                ],
            }
        )
    json.dump({"strategy": f"pytest-split {algorithm}", "steps": steps}, sys.stdout)


if __name__ == "__main__":
    main()
