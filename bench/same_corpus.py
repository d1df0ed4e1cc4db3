"""Whether two `sieve run` outputs hold the same records, run ids and timestamps aside.

    python bench/same_corpus.py OUT_A OUT_B

Compares published and rejected records document by document (by id): every
field equal except `provenance`'s run fields (`run_id`, `flow_run_id`,
`config_sha256` stays compared) and `source.retrieved_at`. Used to check that a
change to how the run is executed (workers, task runner) changes no output.
Exit status 0 when identical.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tasks.output.publish import iter_records

RUN_FIELDS = ("run_id", "flow_run_id")


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what differs from run to run by design."""
    out = {**record, "provenance": {k: v for k, v in record["provenance"].items() if k not in RUN_FIELDS},
           "source": {k: v for k, v in record["source"].items() if k != "retrieved_at"}}
    return out


def records(out: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: comparable(r) for r in iter_records(out, (kind,))}


def differences(a: Path, b: Path) -> list[str]:
    found = []
    for kind in ("corpus", "rejected"):
        left, right = records(a, kind), records(b, kind)
        for doc_id in sorted(left.keys() ^ right.keys()):
            found.append(f"{kind}: {doc_id} only in {a if doc_id in left else b}")
        for doc_id in sorted(left.keys() & right.keys()):
            if left[doc_id] != right[doc_id]:
                keys = sorted(k for k in left[doc_id] if left[doc_id].get(k) != right[doc_id].get(k))
                found.append(f"{kind}: {doc_id} differs in {', '.join(keys)}")
    return found


def main(argv: list[str]) -> int:
    a, b = Path(argv[0]), Path(argv[1])
    found = differences(a, b)
    counts = {kind: len(records(a, kind)) for kind in ("corpus", "rejected")}
    for line in found:
        print(line)
    print(f"{counts['corpus']} published and {counts['rejected']} rejected records in {a}; "
          f"{len(found)} differences with {b}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
