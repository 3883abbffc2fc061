"""Load test: a class of N simulated students on the classroom JupyterHub, on 127.0.0.1.

For each N, a fresh hub from ``classroom/jupyterhub_config.py`` (dummy authenticator, simple
spawner, temporary homes, free ports) serves N students. Each student logs in through the
hub's REST API, waits for their server, opens notebook 01 and runs it cell by cell through the
server's kernel websocket, then does the same with notebook 05 (keeping 01's kernel open, as
students do). Measured per student: login to server ready, kernel start to the first widget
output of each notebook, login to the first widget of notebook 01, the peak resident memory of
their server plus kernels and the CPU seconds those used (psutil, sampled every second). In
total: the whole machine's peak memory in use, and the hub's whole process tree.

    python bench/classroom_load.py                     # N = 5, 10, 20, all logging in at once
    python bench/classroom_load.py -n 20 --stagger 60  # logins spread evenly over 60 s
    python bench/classroom_load.py --full              # notebooks in full mode (CNNVIZ_FAST=0)
    python bench/classroom_load.py -n 20 --prestart    # servers started before class; the
                                                       # clock starts at opening notebook 01

Bounded: every request has a timeout, each student at most ``--student-timeout`` seconds, and
the run stops (every process it started, by PID) if the machine's available memory falls below
``--min-available`` GB. Needs ``npm ci`` in classroom/ (``bash scripts/test.sh`` runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "classroom"))

from harness import Hub, Student  # noqa: E402

NOTEBOOKS = {"nb01": "01_what_a_filter_does.ipynb", "nb05": "05_inside_a_trained_cnn.ipynb"}
MB = 1024 * 1024


class Monitor(threading.Thread):
    """Samples the hub's process tree and the machine every ``interval`` seconds."""

    def __init__(self, hub: Hub, min_available: float, interval: float = 1.0):
        super().__init__(daemon=True)
        self.hub = hub
        self.interval = interval
        self.min_available = min_available
        self.stop_event = threading.Event()
        self.peak_rss: dict[str, int] = {}  # per student: server + kernels
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (student, CPU seconds seen)
        self.hub_cpu: dict[int, float] = {}  # pid -> CPU seconds of the hub, proxy, culler
        self.peak_tree = 0  # everything the hub started, hub and proxy included
        vm = psutil.virtual_memory()
        self.baseline_used = vm.total - vm.available
        self.peak_used = self.baseline_used
        self.loads: list[float] = []
        self.aborted: str | None = None

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        tree = 0
        per_user: dict[str, int] = {}
        for p in self.hub.track():
            try:
                rss = p.memory_info().rss
                times = p.cpu_times()
            except psutil.Error:
                continue
            tree += rss
            user = _student(p)
            if user:
                per_user[user] = per_user.get(user, 0) + rss
                self.cpu[p.pid] = (user, times.user + times.system)
            else:
                self.hub_cpu[p.pid] = times.user + times.system
        for user, rss in per_user.items():
            self.peak_rss[user] = max(self.peak_rss.get(user, 0), rss)
        self.peak_tree = max(self.peak_tree, tree)
        vm = psutil.virtual_memory()
        self.peak_used = max(self.peak_used, vm.total - vm.available)
        self.loads.append(os.getloadavg()[0])
        if vm.available < self.min_available * 1024**3 and not self.aborted:
            self.aborted = f"available memory fell to {vm.available / 1024**3:.1f} GB"
            self.hub.stop()

    def cpu_by_student(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for user, seconds in self.cpu.values():
            total[user] = total.get(user, 0.0) + seconds
        return total


def _student(p) -> str | None:
    from harness import _student_of

    return _student_of(p)


def student_cpu(hub: Hub, name: str) -> float:
    """CPU seconds used so far by a student's live server and kernels."""
    total = 0.0
    for p in hub.user_processes().get(name, []):
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def run_class(n: int, stagger: float, full: bool, args) -> dict:
    """One hub, ``n`` students; returns their measurements and the totals."""
    with tempfile.TemporaryDirectory(prefix="cnnviz-class-") as tmp:
        hub = Hub(Path(tmp), {"CNNVIZ_FAST": "0" if full else "1"})
        hub.start()
        monitor = Monitor(hub, args.min_available)
        monitor.start()
        results: dict[str, dict] = {}
        started = time.monotonic()
        me = psutil.Process()
        own_cpu = sum(me.cpu_times()[:2])

        lesson = threading.Barrier(n, timeout=args.student_timeout * 2)

        def student_run(index: int) -> None:
            name = f"student{index + 1:02d}"
            record = results.setdefault(name, {"errors": []})
            if not args.prestart:
                time.sleep(stagger * index / max(n, 1))
            student = Student(hub, name, cell_timeout=args.student_timeout)
            try:
                record["login_to_ready"] = student.login_and_start(timeout=args.student_timeout)
                record["cpu_ready"] = student_cpu(hub, name)
                if args.prestart:
                    # Servers started before the lesson: the clock starts when the student
                    # opens notebook 01 (staggered as asked), after every server is up.
                    lesson.wait()
                    time.sleep(stagger * index / max(n, 1))
                    student.login_start = time.monotonic()
                for key, notebook in NOTEBOOKS.items():
                    if key not in args.notebooks:
                        continue
                    run = student.run_notebook(notebook)
                    record[f"cpu_{key}"] = student_cpu(hub, name)
                    record[f"{key}_to_widget"] = run.to_first_widget
                    record[f"{key}_seconds"] = run.finished - run.kernel_start
                    record["errors"] += run.errors
                    if key == "nb01" and run.first_widget is not None:
                        record["login_to_widget"] = run.first_widget - student.login_start
                    if run.first_widget is None:
                        record["errors"].append(f"{notebook}: no widget output")
            except Exception as exc:  # noqa: BLE001 (recorded and reported in the table)
                record["errors"].append(f"{type(exc).__name__}: {str(exc)[:300]}")

        threads = [threading.Thread(target=student_run, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + stagger + args.student_timeout * 3
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        wall = time.monotonic() - started
        own_cpu = sum(me.cpu_times()[:2]) - own_cpu
        monitor.sample()
        monitor.stop_event.set()
        monitor.join(timeout=10)
        hub.stop()
        if any(t.is_alive() for t in threads):
            monitor.aborted = monitor.aborted or "students still running at the time bound"
        cpu = monitor.cpu_by_student()
        for name, record in results.items():
            record["peak_mb"] = monitor.peak_rss.get(name, 0) / MB
            record["cpu_s"] = cpu.get(name, 0.0)
        return {
            "n": n,
            "stagger": stagger,
            "prestart": args.prestart,
            "mode": "full" if full else "fast",
            "students": results,
            "wall_s": wall,
            "hub_cpu_s": sum(monitor.hub_cpu.values()),
            "client_cpu_s": own_cpu,
            "machine_peak_gb": monitor.peak_used / 1024**3,
            "machine_baseline_gb": monitor.baseline_used / 1024**3,
            "tree_peak_gb": monitor.peak_tree / 1024**3,
            "load_max": max(monitor.loads, default=0.0),
            "aborted": monitor.aborted,
            "hub_log_tail": hub.log_tail(20) if monitor.aborted else "",
        }


def pct(values, q) -> str:
    values = [v for v in values if v is not None]
    return f"{np.percentile(values, q):.1f}" if values else "-"


def p50_90(values) -> str:
    return f"{pct(values, 50)} / {pct(values, 90)}"


def print_table(runs: list[dict]) -> None:
    cols = [
        ("N", 3),
        ("stagger s", 10),
        ("mode", 4),
        ("ok", 5),
        ("login->ready s", 15),
        ("01 kernel->widget s", 19),
        ("05 kernel->widget s", 19),
        ("login->01 widget s", 18),
        ("student MB", 13),
        ("student CPU s", 13),
        ("machine peak GB", 15),
        ("hub tree GB", 11),
        ("load max", 8),
    ]
    print(" | ".join(f"{name:>{w}}" for name, w in cols))
    print("-+-".join("-" * w for _, w in cols))
    for r in runs:
        s = list(r["students"].values())
        ok = sum(1 for x in s if not x["errors"] and "login_to_ready" in x)
        cells = [
            r["n"],
            f"{r['stagger']:g}" + (" pre" if r.get("prestart") else ""),
            r["mode"],
            f"{ok}/{r['n']}",
            p50_90([x.get("login_to_ready") for x in s]),
            p50_90([x.get("nb01_to_widget") for x in s]),
            p50_90([x.get("nb05_to_widget") for x in s]),
            p50_90([x.get("login_to_widget") for x in s]),
            f"{pct([x['peak_mb'] for x in s], 50)} / {pct([x['peak_mb'] for x in s], 90)}",
            p50_90([x["cpu_s"] for x in s]),
            f"{r['machine_peak_gb'] - r['machine_baseline_gb']:+.1f}"
            f" (of {r['machine_peak_gb']:.1f})",
            f"{r['tree_peak_gb']:.1f}",
            f"{r['load_max']:.1f}",
        ]
        print(" | ".join(f"{str(c):>{w}}" for c, (_, w) in zip(cells, cols, strict=True)))
    print("(values are p50 / p90 over the students; machine peak: rise over the memory in use")
    print(" before the hub started, and the total in use, other work on the machine included)")
    print()
    print("CPU seconds (p50 per student; totals per class): what the class costs whatever else")
    print("runs on the machine. 'floor' = all of it spread over every core with nothing else.")
    print(
        f"{'N':>3} | {'server start':>12} | {'notebook 01':>11} | {'notebook 05':>11} | "
        f"{'hub+proxy':>9} | {'bench client':>12} | {'floor s':>7} | {'wall s':>6}"
    )
    for r in runs:
        s = [x for x in r["students"].values() if "cpu_nb01" in x]
        total = sum(x["cpu_s"] for x in r["students"].values()) + r["hub_cpu_s"]
        cores = psutil.cpu_count()
        print(
            f"{r['n']:>3} | {pct([x['cpu_ready'] for x in s], 50):>12} | "
            f"{pct([x['cpu_nb01'] - x['cpu_ready'] for x in s], 50):>11} | "
            f"{pct([x['cpu_nb05'] - x['cpu_nb01'] for x in s if 'cpu_nb05' in x], 50):>11} | "
            f"{r['hub_cpu_s']:>9.1f} | {r['client_cpu_s']:>12.1f} | "
            f"{(total + r['client_cpu_s']) / cores:>7.1f} | {r['wall_s']:>6.1f}"
        )
    for r in runs:
        if r["aborted"]:
            print(f"N={r['n']}: ABORTED: {r['aborted']}\n{r['hub_log_tail']}")
        for name, x in r["students"].items():
            for error in x["errors"]:
                print(f"N={r['n']} {name}: {error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--students", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--stagger", type=float, default=0.0, help="spread logins over S s")
    parser.add_argument("--full", action="store_true", help="notebooks in full mode")
    parser.add_argument(
        "--prestart",
        action="store_true",
        help="start every server first (as an admin does before class); time from notebook 01",
    )
    parser.add_argument("--student-timeout", type=float, default=300.0)
    parser.add_argument("--min-available", type=float, default=3.0, help="GB; stop below")
    parser.add_argument(
        "--notebooks",
        nargs="+",
        choices=sorted(NOTEBOOKS),
        default=sorted(NOTEBOOKS),
        help="which notebooks each student runs, in order",
    )
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args(argv)
    if not 1 <= max(args.students) <= 40:
        parser.error(f"--students must be between 1 and 40; got {args.students}")

    import jupyter_server
    import jupyterhub

    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line),
        platform.machine(),
    )
    print(
        f"cnnviz classroom load test: {psutil.cpu_count()} cores ({cpu}), "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GB, Python {platform.python_version()}, "
        f"JupyterHub {jupyterhub.__version__}, jupyter_server {jupyter_server.__version__}, "
        f"load average before {os.getloadavg()[0]:.1f}"
    )
    runs = []
    for n in args.students:
        runs.append(run_class(n, args.stagger, args.full, args))
        print(f"N={n} done in {runs[-1]['wall_s']:.0f} s", flush=True)
    print()
    print_table(runs)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return 0 if all(not r["aborted"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
