"""How long `kadmin validate` takes on a directory of 10,000 topics.

Generates realistic specs into a temporary directory (a cluster file with three zones,
defaults, profiles, topics spread over many files with configs in human units, a few
placements and offset resets), then times the whole offline validation, the same call
`kadmin validate DIR` makes, several times. Not a test: run it by hand.

    python bench/validate_scale.py [--topics 10000] [--files 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kadmin.spec.load import load_specs

TEAMS = ("orders", "payments", "billing", "shipping", "catalog", "search", "fraud", "ledger")
RETENTIONS = ("12h", "1d", "3d", "7d", "14d", "30d", "604800000", "-1")
SIZES = ("512KiB", "1MiB", "2MiB", "1048588", "4MB")

CLUSTER = """\
version: 1
cluster:
  name: bench
  zones:
    zone-a: [1, 4, 7]
    zone-b: [2, 5, 8]
    zone-c: [3, 6, 9]
  manage: ["(orders|payments|billing)\\\\..*"]
defaults:
  replication_factor: 3
  placement: spread
  configs:
    min.insync.replicas: 2
    compression.type: zstd
profiles:
  compacted:
    configs: {cleanup.policy: compact, min.compaction.lag.ms: 1h, delete.retention.ms: 1d}
  firehose:
    partitions: 48
    configs: {retention.ms: 6h, segment.bytes: 256MiB}
  audit:
    configs: {retention.ms: -1, cleanup.policy: [compact, delete]}
"""


def topic(rng: random.Random, name: str) -> str:
    lines = [f"  {name}:"]
    roll = rng.random()
    if roll < 0.15:
        lines.append("    profile: compacted")
    elif roll < 0.20:
        lines.append("    profile: firehose")
    elif roll < 0.25:
        lines.append("    profile: audit")
    if not 0.15 <= roll < 0.20 or rng.random() < 0.5:  # firehose topics may take its 48 partitions
        lines.append(f"    partitions: {rng.choice((1, 3, 6, 12, 24))}")
    if rng.random() < 0.05:
        lines.append(f"    placement: {{zone: {rng.choice(('zone-a', 'zone-b', 'zone-c'))}}}")
    lines.append("    configs:")
    lines.append(f"      retention.ms: {rng.choice(RETENTIONS)}")
    lines.append(f"      max.message.bytes: {rng.choice(SIZES)}")
    if rng.random() < 0.3:
        lines.append("      message.timestamp.type: LogAppendTime")
    if rng.random() < 0.2:
        lines.append("      segment.ms: 1d")
    return "\n".join(lines)


def generate(root: Path, topics: int, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "00-cluster.yaml").write_text(CLUSTER, encoding="utf-8")
    per_file = -(-topics // files)
    made = 0
    for f in range(files):
        team = TEAMS[f % len(TEAMS)]
        body = ["version: 1", "topics:"]
        name = ""
        for _ in range(min(per_file, topics - made)):
            name = f"{team}.{rng.choice(('events', 'commands', 'state'))}.v{made}"
            body.append(topic(rng, name))
            made += 1
        if f % 10 == 0 and name:
            body += [
                "offset_resets:",
                f"  - id: {team}-replay-{f}",
                f"    group: {team}-consumer",
                f"    topics: [{name}]",
                '    to: {datetime: "2026-11-20T00:00:00Z"}',
            ]
        path = root / f"{team}-{f:03d}.yaml"
        path.write_text("\n".join(body) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kadmin-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.topics, args.files)
        spec_files = sorted(root.glob("*.yaml"))
        size = sum(p.stat().st_size for p in spec_files)
        print(f"generated {args.topics} topics in {len(spec_files)} files ({size / 1e6:.1f} MB) under {root}")
        timings = []
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            state = load_specs([root], env={})
            elapsed = time.perf_counter() - start
            timings.append(elapsed)
            counts = f"{len(state.topics)} topics, {len(state.offset_resets)} offset resets"
            print(f"run {run}: validated {counts} in {elapsed:.2f} s")
    print(f"best {min(timings):.2f} s, median {statistics.median(timings):.2f} s (target: under 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
