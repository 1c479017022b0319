"""How long does `plan lint` take on large plans? It should grow near-linearly in rows.

    python benchmarks/lint_bench.py [--rows 10000] [--shared 2000]

Builds two Markdown plans in memory and times parse + lint (and `--fix` for the shared
one): `--rows` rows that each own their own files (no joint at all), and `--shared` rows
that all own `docs/**` (every pair a joint; lint reports one finding per row and `--fix`
chains them with one edge each). Prints the seconds for each; no assertion, no timing
test: compare the numbers across changes.
"""

from __future__ import annotations

import argparse
import time

from fleetbot.plan.joints import fix_joints
from fleetbot.plan.lint import lint_plan
from fleetbot.plan.parse import parse_plan

HEADER = "| Issue | Branch | Files owned | Depends on | Status |\n|---|---|---|---|---|\n"


def disjoint(n: int) -> str:
    return HEADER + "".join(
        f"| #{i} | feature/{i}-x | `src/mod{i}/**`, `tests/test_{i}.py` | | running |\n"
        for i in range(1, n + 1))


def shared(n: int) -> str:
    return HEADER + "".join(f"| #{i} | feature/{i}-docs | `docs/**` | | planned |\n"
                            for i in range(1, n + 1))


def timed(label: str, text: str, fix: bool = False) -> None:
    start = time.perf_counter()
    plan = parse_plan(text)
    parsed = time.perf_counter()
    findings = lint_plan(plan)
    linted = time.perf_counter()
    line = (f"{label}: parse {parsed - start:.2f} s, lint {linted - parsed:.2f} s "
            f"({len(findings)} findings)")
    if fix:
        _, added = fix_joints(plan)
        line += (f", --fix {time.perf_counter() - linted:.2f} s "
                 f"({sum(map(len, added.values()))} edges added)")
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--shared", type=int, default=2_000)
    args = parser.parse_args()
    timed(f"{args.rows} disjoint rows", disjoint(args.rows))
    timed(f"{args.shared} rows on docs/**", shared(args.shared), fix=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
