"""Test-loop benchmark: how long the pytest fixture waits for a server, and a reset.

1. Server start as the `sekisho_server` fixture does it (`sekisho.testing.start_server`:
   template database copied, `sekisho serve` spawned, health answered), in emulator
   mode and in enforced mode (which also bootstraps a first account). Printed: the
   median wall time of several starts and the median CPU time the server process
   used until it answered (the wall time includes waiting for a CPU when the machine
   is busy; the CPU time does not).
2. `POST /moto-api/reset` round trips on an emulator: on a populated state (users
   with keys, inline and managed policies, groups, roles) and on an empty one.
   Printed: median and 90th percentile.

Targets (issue 6, item 5): start under 1 s, reset under 50 ms.

Usage: `python bench/testloop_bench.py [--smoke] [--starts N] [--resets N]`.
Exit status: 0 when every start and reset succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sekisho.testing.server import SekishoServer, post, start_server

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "sts:AssumeRole"}]})


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_starts(base: Path, runs: int, emulator: bool) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for run in range(runs):
        began = time.perf_counter()
        server = start_server(base / f"{'emu' if emulator else 'enf'}-{run}" / "data",
                              emulator=emulator)
        walls.append(time.perf_counter() - began)
        try:
            cpus.append(cpu_seconds(server.process.pid))
        finally:
            server.stop()
    return walls, cpus


def populate(server: SekishoServer, users: int) -> None:
    iam = server.client("iam")
    iam.create_group(GroupName="bench")
    managed = iam.create_policy(PolicyName="bench", PolicyDocument=POLICY)["Policy"]["Arn"]
    for i in range(users):
        name = f"user-{i}"
        iam.create_user(UserName=name)
        iam.create_access_key(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=POLICY)
        iam.attach_user_policy(UserName=name, PolicyArn=managed)
        iam.add_user_to_group(GroupName="bench", UserName=name)
    for i in range(max(1, users // 4)):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST)


def time_resets(server: SekishoServer, runs: int, users: int) -> tuple[list[float], list[float]]:
    populated, empty = [], []
    for _ in range(runs):
        if users:
            populate(server, users)
        began = time.perf_counter()
        status = post(server.endpoint_url, "/moto-api/reset")
        populated.append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"reset answered {status}")
        began = time.perf_counter()
        post(server.endpoint_url, "/moto-api/reset")
        empty.append(time.perf_counter() - began)
    return populated, empty


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one start, two resets")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--resets", type=int, default=20)
    parser.add_argument("--users", type=int, default=20, help="users created before a reset")
    args = parser.parse_args(argv)
    starts, resets, users = (1, 2, 3) if args.smoke else (args.starts, args.resets, args.users)
    with tempfile.TemporaryDirectory(prefix="sekisho-testloop-") as tmp:
        base = Path(tmp)
        # The first start may build the template database (once per set of migrations).
        warm = start_server(base / "warm" / "data", emulator=True)
        try:
            populated, empty = time_resets(warm, resets, users)
        finally:
            warm.stop()
        load = os.getloadavg()[0]
        for emulator in (True, False):
            walls, cpus = time_starts(base, starts, emulator)
            label = "emulator" if emulator else "enforced (bootstraps an account)"
            print(f"server start, {label}: median {statistics.median(walls) * 1000:.0f} ms wall"
                  f", {statistics.median(cpus) * 1000:.0f} ms server CPU "
                  f"({starts} starts; target < 1000 ms)")
    print(f"reset with {users} users, keys, policies, groups and roles: median "
          f"{statistics.median(populated) * 1000:.1f} ms, p90 {p90(populated) * 1000:.1f} ms "
          f"({resets} resets; target < 50 ms)")
    print(f"reset of an empty state: median {statistics.median(empty) * 1000:.1f} ms, "
          f"p90 {p90(empty) * 1000:.1f} ms")
    print(f"load average (1 min) while measuring: {load:.2f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
