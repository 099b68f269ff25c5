"""How bench/report.py measures a command: wall time, CPU time (user + system, from the kernel's accounting of the
child), one-core wall time (`taskset -c 0`), system calls (counted by `strace -f -c`, threads included) and peak RSS
(GNU time). Commands measured together run in turns, so a burst of load on this shared machine falls on each alike
and their ratio holds."""
import os
import statistics
import subprocess
import tempfile
import time


class Case:
    """One command: argv, what it reads on stdin, its environment and the exit status it must end with."""

    def __init__(self, argv, stdin_data=None, env=None, expected=0):
        self.argv, self.stdin_data, self.env, self.expected = argv, stdin_data, env, expected


def run_once(case, argv=None):
    """(wall seconds, CPU seconds) of one run."""
    argv = argv or case.argv
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=case.env)
    if case.stdin_data:
        try:
            child.stdin.write(case.stdin_data)
        except BrokenPipeError:
            pass
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != case.expected:
        raise SystemExit(f"{argv[0]} exited {child.returncode}, not {case.expected}")
    return elapsed, usage.ru_utime + usage.ru_stime


def peak_rss(case):
    """Peak RSS (KiB) of one run, from GNU time: its own small process is what the child is before exec, where a
    child forked from this Python process would count Python's pages."""
    with tempfile.NamedTemporaryFile("r") as report:
        completed = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + case.argv,
                                   input=case.stdin_data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=case.env)
        if completed.returncode != case.expected:
            raise SystemExit(f"{case.argv[0]} exited {completed.returncode} under time")
        return int(report.read().split()[-1])


def system_calls(case):
    """System calls of one run, every thread's, as `strace -f -c` counts them (the run under strace is not timed)."""
    with tempfile.NamedTemporaryFile("r") as report:
        completed = subprocess.run(["strace", "-f", "-c", "-o", report.name] + case.argv, input=case.stdin_data,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=case.env)
        if completed.returncode != case.expected:
            raise SystemExit(f"{case.argv[0]} exited {completed.returncode} under strace")
        total = [line for line in report.read().splitlines() if line.split()[-1:] == ["total"]]
        return int(total[0].split()[3])


def _summary(runs):
    runs = sorted(runs)
    return {"min": runs[0], "median": statistics.median(runs), "max": runs[-1]}


def measure_together(cases, repeats, one_core=()):
    """cases: {name: Case}. Each name's figures: wall and cpu ({min, median, max} seconds), calls, rss (KiB), and
    for the names in `one_core` also core1, the wall time pinned to the first core."""
    pinned = {name: ["taskset", "-c", "0"] + cases[name].argv for name in one_core}
    for name, case in cases.items():  # warm the page cache and the dentry cache first
        run_once(case)
    walls, cpus, core1 = ({name: [] for name in cases} for _ in range(3))
    for _ in range(repeats):
        for name, case in cases.items():
            wall, cpu = run_once(case)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if name in pinned:
                core1[name].append(run_once(case, pinned[name])[0])
    figures = {}
    for name, case in cases.items():
        figures[name] = {"wall": _summary(walls[name]), "cpu": _summary(cpus[name]), "calls": system_calls(case),
                         "rss": peak_rss(case)}
        if name in pinned:
            figures[name]["core1"] = _summary(core1[name])
    return figures


def measure_bench(argv):
    """An in-process benchmark: (its stdout, its CPU seconds, its system calls)."""
    start_usage = os.times()
    completed = subprocess.run(argv, capture_output=True, text=True, check=True)
    end_usage = os.times()
    cpu = (end_usage.children_user - start_usage.children_user) + (end_usage.children_system -
                                                                    start_usage.children_system)
    return completed.stdout, cpu, system_calls(Case(argv))


def seconds(figure):
    return f"{figure['median']:.3f} s ({figure['min']:.3f}–{figure['max']:.3f})"


def milliseconds(figure):
    return f"{figure['median'] * 1000:.2f} ms ({figure['min'] * 1000:.2f}–{figure['max'] * 1000:.2f})"


def calls(count):
    return f"{count / 1000:.1f}k" if count >= 10000 else str(count)


def verdict(value, limit):
    return "met" if value <= limit else "missed"
