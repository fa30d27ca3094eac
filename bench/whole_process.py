#!/usr/bin/env python3
"""Whole-process benchmark: nsreconcile's snap-update-ns personality against
snapd's own snap-update-ns and against the system-call floor (bench/floor.cpp),
on the same namespaces, interleaved.

For every N (profile entries) and M (unrelated mounts already in the
namespace) and every repetition, each tool gets a fresh application
namespace pinned at /run/snapd/ns/foo.mnt (slave propagation, as
snap-confine makes it) and runs three operations, each followed by a check
that exactly N read-only mounts of the right revision are there:
  apply    from an empty current profile, N lines
           /snap/prov/2/dI /snap/foo/1/mI none bind,ro 0 0
  noop     the same again
  refresh  every source moved from /snap/prov/2 to /snap/prov/3
The tools: ref (snapd's snap-update-ns, from Debian's snapd package fetched
with apt-get download unless --reference is given), nsr (nsreconcile
snap-update-ns), floor (mount(2) bind + read-only remount; refresh
unmounts first) and new (open_tree + mount_setattr + move_mount; refresh
attaches beneath and detaches the old mount); both floors read both
profiles, and the no-op checks each mount point against its source with
two statx calls. Times are whole-process wall times (fork and exec
included); the order of the tools is reversed every other repetition.
Peak RSS comes from a separate untimed pass under /usr/bin/time.

With --bg-peers the M background mounts are binds of one shared mount, so
the application namespace holds slaves of one big peer group, as on a host
whose mounts are shared (systemd's default).

Everything runs inside unshare -m --propagation private, with tmpfs over
/run, /snap, /var/lib/snapd and /sys/fs/cgroup; nothing on the host
changes. Needs root, util-linux and, without --reference, apt-get.
"""
import argparse
import ctypes
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

NS_DIR = "/run/snapd/ns"
NS_FILE = NS_DIR + "/foo.mnt"
DESIRED = "/var/lib/snapd/mount/snap.foo.fstab"
CURRENT = NS_DIR + "/snap.foo.fstab"
LOCK = "/run/snapd/lock/foo.lock"
TARGETS = "/snap/foo/1"
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_SHARED, MS_PRIVATE = 1, 32, 4096, 1 << 20, 1 << 18
MNT_DETACH = 2
OPS = ("apply", "noop", "refresh")

libc = ctypes.CDLL(None, use_errno=True)


def mount(src, dst, fstype, flags, data=None):
    enc = lambda s: None if s is None else s.encode()
    if libc.mount(enc(src), enc(dst), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {src} on {dst}: {os.strerror(err)}")


def detach(path):
    libc.umount2(path.encode(), MNT_DETACH)


def fresh_namespace():
    """A new application namespace pinned at NS_FILE. Namespace ids come
    from per-CPU batches on recent kernels, and binding the namespace file
    fails with EINVAL when the new one got a smaller id than ours: try each
    CPU in turn."""
    detach(NS_FILE)
    cpus = sorted(os.sched_getaffinity(0))
    for attempt in range(20 * len(cpus)):
        cpu = cpus[attempt % len(cpus)]
        done = subprocess.run(["unshare", f"--mount={NS_FILE}", "--propagation", "slave", "true"],
                              stderr=subprocess.DEVNULL,
                              preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
        if done.returncode == 0:
            return
    raise RuntimeError("cannot pin a new application namespace")


def check_mounts(n, revision):
    table = subprocess.run(["nsenter", f"--mount={NS_FILE}", "cat", "/proc/self/mountinfo"],
                           check=True, capture_output=True, text=True).stdout
    ours = [line.split() for line in table.splitlines() if line.split()[4].startswith(TARGETS + "/m")]
    right = sum(1 for f in ours if f[3].startswith(f"/prov/{revision}/d") and f[5].split(",")[0] == "ro")
    if right != n or len(ours) != n:
        raise RuntimeError(f"expected {n} read-only mounts of revision {revision}, "
                           f"found {right} (of {len(ours)} mounts)")


def write_desired(n, revision):
    with open(DESIRED, "w") as f:
        f.writelines(f"/snap/prov/{revision}/d{i} {TARGETS}/m{i} none bind,ro 0 0\n" for i in range(n))


def commands(tool, n, paths):
    if tool in ("ref", "nsr"):
        cmd = paths[tool] + ["foo"]
        return {op: cmd for op in OPS}
    floor = lambda mode, rev: [paths["floor"], mode, NS_FILE, str(n), f"/snap/prov/{rev}", TARGETS,
                               DESIRED, CURRENT, LOCK]
    style = "classic" if tool == "floor" else "new"
    return {"apply": floor(f"{style}-apply", 2), "noop": floor("noop", 2),
            "refresh": floor(f"{style}-refresh", 3)}


def run_timed(cmd):
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
                           f"{done.stdout.decode()[-2000:]}")
    return elapsed


def peak_rss_kib(cmd):
    done = subprocess.run(["/usr/bin/time", "-f", "peak_rss_kib=%M"] + cmd, check=True,
                          capture_output=True, text=True)
    return int(done.stderr.rsplit("peak_rss_kib=", 1)[1].split()[0])


def trial(tool, n, paths, results, key, rss):
    fresh_namespace()
    if os.path.exists(CURRENT):
        os.unlink(CURRENT)
    cmds = commands(tool, n, paths)
    for op, revision in (("apply", 2), ("noop", 2), ("refresh", 3)):
        write_desired(n, revision)
        if rss:
            results.setdefault(("rss", op) + key + (tool,), []).append(peak_rss_kib(cmds[op]))
        else:
            results.setdefault((op,) + key + (tool,), []).append(run_timed(cmds[op]))
        check_mounts(n, revision)


def fetch_reference(scratch):
    got = subprocess.run(["apt-get", "download", "snapd"], cwd=scratch, capture_output=True)
    if got.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "download", "snapd"], cwd=scratch, check=True,
                       capture_output=True)
    deb = next(f for f in os.listdir(scratch) if f.startswith("snapd_") and f.endswith(".deb"))
    subprocess.run(["dpkg-deb", "-x", deb, "snapd"], cwd=scratch, check=True)
    return os.path.join(scratch, "snapd/usr/lib/snapd/snap-update-ns"), deb


def startup_ms(cmd, reps):
    times = sorted(run_timed(cmd) for _ in range(reps))
    return times[len(times) // 2] * 1e3


def inner(args):
    scratch = os.environ["NSR_BENCH_SCRATCH"]
    mount("tmpfs", scratch, "tmpfs", 0, "mode=0755")
    paths = {"nsr": [args.nsreconcile, "snap-update-ns"], "floor": args.floor}
    if args.reference:
        paths["ref"], ref_name = [args.reference], args.reference
    else:
        ref, ref_name = fetch_reference(scratch)
        paths["ref"] = [ref]
    for d in ("/run", "/snap", "/var/lib/snapd", "/sys/fs/cgroup"):
        mount("tmpfs", d, "tmpfs", 0, "mode=0755")
    for d in (NS_DIR, os.path.dirname(DESIRED), os.path.dirname(LOCK)):
        os.makedirs(d, exist_ok=True)
    mount(NS_DIR, NS_DIR, None, MS_BIND)
    mount(None, NS_DIR, None, MS_PRIVATE)
    open(NS_FILE, "w").close()
    n_max = max(args.n)
    for revision in (2, 3):
        for i in range(n_max):
            os.makedirs(f"/snap/prov/{revision}/d{i}")
    for i in range(n_max):
        os.makedirs(f"{TARGETS}/m{i}")
    # The application's own snap is a read-only squashfs on a snap system.
    mount(TARGETS, TARGETS, None, MS_BIND)
    mount(None, TARGETS, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    background = os.path.join(scratch, "background")
    os.makedirs(os.path.join(background, "source"))
    if args.bg_peers:
        mount(os.path.join(background, "source"), os.path.join(background, "source"), None, MS_BIND)
        mount(None, os.path.join(background, "source"), None, MS_SHARED)

    tools = ["ref", "nsr", "floor", "new"]
    results = {}
    have = 0
    for m in args.m:
        if m > have:
            subprocess.run([args.floor, "bgmounts", "-", str(m - have), os.path.join(background, "source"),
                            background, "-", "-", "-"], check=True)
            have = m
        for n in (args.n if m == args.m[0] else [n for n in args.n if n in args.n_for_m]):
            reps = args.reps_big if n >= 3000 else args.reps
            for rep in range(reps):
                for tool in (tools if rep % 2 == 0 else tools[::-1]):
                    trial(tool, n, paths, results, (n, m), rss=False)
            for tool in tools:
                trial(tool, n, paths, results, (n, m), rss=True)
            print(f"# N={n} M={m}: {reps} repetitions", file=sys.stderr, flush=True)
    detach(NS_FILE)

    rows = []
    for op in OPS:
        for key in sorted({k[1:3] for k in results if k[0] == op}):
            ms = {t: statistics.median(results[(op,) + key + (t,)]) * 1e3 for t in tools}
            rss = {t: max(results[("rss", op) + key + (t,)]) / 1024 for t in ("ref", "nsr")}
            rows.append({"op": op, "n": key[0], "m": key[1], **{f"{t}_ms": ms[t] for t in tools},
                         "ref_rss_mib": rss["ref"], "nsr_rss_mib": rss["nsr"],
                         "reps": len(results[(op,) + key + ("nsr",)])})
    startup = {"true": startup_ms(["/bin/true"], 101),
               "version": startup_ms([args.nsreconcile, "--version"], 101)}
    report(args, rows, ref_name, startup)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"kernel": platform.release(), "cpus": os.cpu_count(), "reference": ref_name,
                       "bg_peers": args.bg_peers, "rows": rows, "startup_ms": startup}, f, indent=1)


def report(args, rows, ref_name, startup):
    peers = ", background mounts in one shared peer group" if args.bg_peers else ""
    print(f"Reference: {os.path.basename(ref_name)}; Linux {platform.release()}, "
          f"{os.cpu_count()} CPUs{peers}. Medians of whole-process wall times in ms.\n")
    print("| op | N | M | ref | nsr | floor | new | ref/nsr | nsr/floor | nsr/new | "
          "nsr RSS MiB | ref RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['op']} | {r['n']} | {r['m']} | {r['ref_ms']:.2f} | {r['nsr_ms']:.2f} | "
              f"{r['floor_ms']:.2f} | {r['new_ms']:.2f} | {r['ref_ms'] / r['nsr_ms']:.2f} | "
              f"{r['nsr_ms'] / r['floor_ms']:.2f} | {r['nsr_ms'] / r['new_ms']:.2f} | "
              f"{r['nsr_rss_mib']:.1f} | {r['ref_rss_mib']:.1f} |")
    m0 = args.m[0]
    ns = sorted({r["n"] for r in rows if r["m"] == m0})
    if len(ns) >= 3:
        print(f"\nPer-entry cost at M={m0} (slope between N values, µs per entry):\n")
        spans = list(zip(ns, ns[1:]))
        print("| op | tool | " + " | ".join(f"{a}→{b}" for a, b in spans) + " |")
        print("|---|---|" + "---:|" * len(spans))
        at = {(r["op"], r["n"]): r for r in rows if r["m"] == m0}
        for op in ("apply", "refresh"):
            for tool in ("ref", "nsr", "floor", "new"):
                slopes = [(at[(op, b)][f"{tool}_ms"] - at[(op, a)][f"{tool}_ms"]) / (b - a) * 1e3
                          for a, b in spans]
                print(f"| {op} | {tool} | " + " | ".join(f"{s:.1f}" for s in slopes) + " |")
    print(f"\nStart-up: `nsreconcile --version` {startup['version']:.2f} ms, "
          f"`/bin/true` {startup['true']:.2f} ms (medians of 101).")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsreconcile", required=True, help="the nsreconcile binary")
    ap.add_argument("--floor", required=True, help="bench/floor.cpp's binary")
    ap.add_argument("--reference", help="snap-update-ns to compare with (default: Debian's)")
    ap.add_argument("--n", type=int, nargs="+", default=[10, 100, 1000, 3000])
    ap.add_argument("--m", type=int, nargs="+", default=[0, 1000, 10000],
                    help="background mount counts, ascending")
    ap.add_argument("--n-for-m", type=int, nargs="+", default=[100, 1000, 3000],
                    help="the N values also run at the M values after the first")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--reps-big", type=int, default=3, help="repetitions at N >= 3000")
    ap.add_argument("--bg-peers", action="store_true",
                    help="background mounts in one shared peer group")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    if os.environ.get("NSR_BENCH_SCRATCH"):
        return inner(args)
    if os.geteuid() != 0:
        sys.exit("whole_process: needs root (mount namespaces)")
    for d in ("/snap", "/var/lib/snapd"):
        os.makedirs(d, exist_ok=True)  # mount points only: covered by tmpfs, never written
    for name in ("nsreconcile", "floor", "reference", "json"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    scratch = tempfile.mkdtemp(prefix="nsr-bench.")
    try:
        argv = [sys.executable, os.path.abspath(__file__), "--nsreconcile", args.nsreconcile,
                "--floor", args.floor, "--n", *map(str, args.n), "--m", *map(str, args.m),
                "--n-for-m", *map(str, args.n_for_m), "--reps", str(args.reps),
                "--reps-big", str(args.reps_big)]
        argv += ["--reference", args.reference] if args.reference else []
        argv += ["--bg-peers"] if args.bg_peers else []
        argv += ["--json", args.json] if args.json else []
        env = dict(os.environ, NSR_BENCH_SCRATCH=scratch)
        return subprocess.run(["unshare", "-m", "--propagation", "private"] + argv,
                              env=env).returncode
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
