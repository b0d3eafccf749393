#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns scripts/bench.sh's raw measurements into the table (stdout and NAME.txt), NAME.json
and the plot NAME.png (gnuplot) in OUT.

Every number in the table is a median over rounds. A ratio is the median of per-round ratios:
both sides were measured in the same round, in slices a fraction of a second apart, so noise
from other work on the machine mostly cancels (a ratio of medians could pair a quiet slice
with a busy one). Each target also shows the middle half of its per-round values.
"""
import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

OPS = [
    ("stat", "stat"),
    ("read", "open+read(4 KiB)+close"),
    ("write", "open(O_TRUNC)+write(128 B)+close"),
]
THREADS = [1, 4]
# The floors. The reference is the minimal one: a FUSE daemon doing no work, mounted without
# default_permissions, so the kernel sends it only what a stat or an open+read+close must
# cost (GETATTR; OPEN + READ + RELEASE). floordp adds default_permissions: a GETATTR before
# every OPEN.
FLOOR = "floor"
FLOORDP = "floordp"
# What a daemon answering OPEN with ENOSYS pays: no OPEN, no RELEASE, reads from the page
# cache. Shown, not a reference: without OPEN the kernel checks nothing at open.
FLOORNO = "floorno"
FLOORS = [FLOOR, FLOORDP, FLOORNO]
FLOOR_LABELS = {
    FLOOR: "minimal floor",
    FLOORDP: "floor+dp",
    FLOORNO: "floor no-open",
}

# The targets of the issue, against the minimal floor, per resolvconffs configuration.
READ_MAX = 1.15  # open+read+close / minimal floor, 1 and 4 threads
READ_PINNED_MAX = 1.25  # the same, caller and daemon pinned to one CPU
STAT_MAX = 1.2  # stat / minimal floor, 1 thread
STAT_PINNED_MAX = 1.4  # the same, pinned
PARALLEL_MIN = 0.95  # ops/s of LOAD_NS callers reading in parallel / the minimal floor's
SCALING_MAX = 1.10  # latency(K max) / latency(K=1)
RSS_MAX_MIB = 16.0  # at K max
GROWTH_MAX = 4  # fds and threads from K=1 to K max: none per namespace
THREADS_GAIN_MIN = 1.6  # ops/s with 4 threads / with 1
# The directory mode (issue 12): reads come from the page cache, so faster than any
# single-file daemon; a stat costs the per-caller LOOKUP of the root's entry (path walk).
DAEMON_TARGETS = {
    "rcfsdir": {"read": 0.8, "read_pinned": 0.8, "stat": 2.0, "stat_pinned": 2.0},
}
SCALE_LABELS = {FLOOR: "floor", FLOORDP: "floor+dp", FLOORNO: "no-open"}
OTHER_CPUS_QUIET = 0.25  # CPUs busy with others' work above which the table says so


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--raw", required=True)
    p.add_argument("--stats", required=True)
    p.add_argument("--mode", required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--slice", type=float, required=True)
    p.add_argument("--ks", required=True)
    p.add_argument("--load-ns", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--elapsed", type=int, default=0)
    p.add_argument("--other-cpus", type=float, default=0.0)
    p.add_argument("--named", type=int, default=0)
    p.add_argument("--marked", type=int, default=0)
    p.add_argument("--rev", default="unknown")
    p.add_argument("--nice", type=int, default=0)
    p.add_argument(
        "--daemons", default="rcfs", help="the resolvconffs configurations: one column each"
    )
    p.add_argument("--pin-cpu", default="?", help="the CPU of the pinned case")
    return p.parse_args()


def read_raw(path):
    """bench-load's lines, key=value, prefixed by bench.sh with section, op and k."""
    rows = []
    with open(path) as f:
        for line in f:
            kv = dict(item.split("=", 1) for item in line.split())
            subject = kv["name"]
            if kv["section"] == "scale":  # daemon "kK" (--dir: "dkK") has served K namespaces
                k = 0 if subject == "floor" else int(subject.lstrip("dk"))
            else:
                k = int(kv["k"])
            rows.append(
                {
                    "section": kv["section"],
                    "subject": subject,
                    "op": kv["op"],
                    "threads": int(kv["threads"]),
                    "k": k,
                    "round": int(kv["round"]),
                    "ops": int(kv["ops"]),
                    "secs": float(kv["secs"]),
                    "ops_per_s": float(kv["ops_per_s"]),
                    "us_per_op": float(kv["us_per_op"]),
                }
            )
    return rows


def read_stats(path):
    stats = {}
    with open(path) as f:
        for line in f:
            subject, rss, hwm, fds, threads = line.split()
            stats[subject] = {
                "rss_kib": int(rss),
                "peak_rss_kib": int(hwm),
                "fds": int(fds),
                "threads": int(threads),
            }
    return stats


def by_round(rows, **match):
    """{round: row} for the rows matching every key=value given."""
    return {
        r["round"]: r for r in rows if all(r[key] == value for key, value in match.items())
    }


def median(values):
    """The median, or nan when no round measured anything."""
    values = list(values)
    return statistics.median(values) if values else math.nan


def median_of(rows, field, **match):
    return median(r[field] for r in by_round(rows, **match).values())


def measured(v):
    """False for a slice in which no call finished (us_per_op inf, ops_per_s 0)."""
    return 0 < v < math.inf


def paired_ratios(rows, field, num, den):
    """Per round, num[field] / den[field]; num and den are match dicts. Rounds where either
    side saw no call finish tell nothing about the ratio and are left out."""
    a, b = by_round(rows, **num), by_round(rows, **den)
    return [
        a[r][field] / b[r][field]
        for r in sorted(a)
        if r in b and measured(a[r][field]) and measured(b[r][field])
    ]


def quartiles(values):
    """The middle half of the rounds, (25th, 75th percentile): how much to trust a median."""
    if not values:
        return (math.nan, math.nan)
    if len(values) < 2:
        return (values[0], values[0])
    q = statistics.quantiles(values, n=4, method="inclusive")
    return (q[0], q[2])


def finite(v):
    """V for JSON: inf and nan (no call finished, no round measured) become null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [finite(x) for x in v]
    return v


def fmt_us(v):
    return f"{v:,.1f}" if v >= 100 else f"{v:.2f}"


def cases(load_ns, pin_cpu):
    """The rows of the operation table: (section, op, threads, label), as bench.sh measured
    them. ops: callers spread over LOAD_NS namespaces; pinned: one caller and its daemon on
    one CPU; parallel: LOAD_NS callers, one per namespace."""
    rows = []
    for op, label in OPS:
        for threads in THREADS:
            rows.append(("ops", op, threads, label))
        if op != "write":
            rows.append(("pinned", op, 1, f"{label}, pinned to CPU {pin_cpu}"))
        if op == "read":
            rows.append(("parallel", op, load_ns, f"{label}, {load_ns} ns in parallel"))
    return rows


def main():
    args = parse_args()
    ks = [int(k) for k in args.ks.split()]
    k_max = ks[-1]
    daemons = args.daemons.split()
    subjects = ["native"] + FLOORS + daemons
    rows = read_raw(args.raw)
    stats = read_stats(args.stats)
    scale_rows = [r for r in rows if r["section"] == "scale"]

    # ---- the operation table: per case, every subject's medians and the daemons' ratios
    ops = []
    for section, op, threads, label in cases(args.load_ns, args.pin_cpu):
        sec_rows = [r for r in rows if r["section"] == section]
        entry = {"section": section, "op": op, "label": label, "threads": threads}
        for s in subjects:
            m = {"subject": s, "op": op, "threads": threads}
            entry[s] = {
                "us_per_op": median_of(sec_rows, "us_per_op", **m),
                "ops_per_s": median_of(sec_rows, "ops_per_s", **m),
            }
        entry["ratios"], entry["ratio_rounds"] = {}, {}
        for d in daemons + [FLOORDP, FLOORNO]:
            for ref in [FLOOR, FLOORDP, "native"]:
                if ref == d:
                    continue
                ratios = paired_ratios(
                    sec_rows,
                    "us_per_op",
                    {"subject": d, "op": op, "threads": threads},
                    {"subject": ref, "op": op, "threads": threads},
                )
                entry["ratios"][f"{d}/{ref}"] = median(ratios)
                entry["ratio_rounds"][f"{d}/{ref}"] = ratios
            # In parallel it is throughput that counts: aggregate ops/s, not one call's time.
            ratios = paired_ratios(
                sec_rows,
                "ops_per_s",
                {"subject": d, "op": op, "threads": threads},
                {"subject": FLOOR, "op": op, "threads": threads},
            )
            entry["ratios"][f"{d}/{FLOOR} ops/s"] = median(ratios)
            entry["ratio_rounds"][f"{d}/{FLOOR} ops/s"] = ratios
        ops.append(entry)

    def case(section, op, threads):
        return next(
            e for e in ops if (e["section"], e["op"], e["threads"]) == (section, op, threads)
        )

    # 4 threads against 1: aggregate ops/s, per subject
    ops_rows = [r for r in rows if r["section"] == "ops"]
    gain, gain_rounds = {}, {}
    for op, _ in OPS:
        gain_rounds[op] = {
            s: paired_ratios(
                ops_rows,
                "ops_per_s",
                {"subject": s, "op": op, "threads": 4},
                {"subject": s, "op": op, "threads": 1},
            )
            for s in subjects
        }
        gain[op] = {s: median(v) for s, v in gain_rounds[op].items()}

    # ---- scaling with K, against the minimal floor
    scaling = []
    for k in ks:
        s = f"k{k}"
        entry = {"k": k}
        for op in ("stat", "read"):
            entry[op + "_us"] = median_of(scale_rows, "us_per_op", subject=s, op=op)
            entry[op + "_over_floor"] = median(
                paired_ratios(
                    scale_rows,
                    "us_per_op",
                    {"subject": s, "op": op},
                    {"subject": FLOOR, "op": op},
                )
            )
        entry.update(stats[s])
        scaling.append(entry)
    # The directory mode at K max (dkK), if measured.
    dir_scale = None
    if f"dk{k_max}" in stats:
        s = f"dk{k_max}"
        dir_scale = {"k": k_max, "subject": s}
        for op in ("stat", "read"):
            dir_scale[op + "_us"] = median_of(scale_rows, "us_per_op", subject=s, op=op)
            dir_scale[op + "_over_floor"] = median(
                paired_ratios(
                    scale_rows, "us_per_op", {"subject": s, "op": op}, {"subject": FLOOR, "op": op}
                )
            )
        dir_scale.update(stats[s])
    floor_scale = {
        op + "_us": median_of(scale_rows, "us_per_op", subject=FLOOR, op=op)
        for op in ("stat", "read")
    }
    scaling_rounds = {
        op: paired_ratios(
            scale_rows,
            "us_per_op",
            {"subject": f"k{k_max}", "op": op},
            {"subject": f"k{ks[0]}", "op": op},
        )
        for op in ("stat", "read")
    }
    scaling_ratio = {op: median(v) for op, v in scaling_rounds.items()}

    # ---- targets
    targets = []

    def target(name, value, limit, ok, unit="x", spread=None):
        t = {"name": name, "value": round(value, 3), "limit": limit, "unit": unit, "pass": ok}
        if spread:
            t["middle_half_of_rounds"] = [round(v, 3) for v in quartiles(spread)]
        targets.append(t)

    def ratio_target(d, what, section, op, threads, limit, at_least=False):
        e = case(section, op, threads)
        key = f"{d}/{FLOOR} ops/s" if at_least else f"{d}/{FLOOR}"
        v = e["ratios"][key]
        ok = v >= limit if at_least else v <= limit
        target(
            f"{what}: {d} / minimal floor",
            v,
            f"{'>=' if at_least else '<='} {limit}",
            ok,
            spread=e["ratio_rounds"][key],
        )

    label = dict(OPS)
    for d in daemons:
        lim = {
            "read": READ_MAX,
            "read_pinned": READ_PINNED_MAX,
            "stat": STAT_MAX,
            "stat_pinned": STAT_PINNED_MAX,
        }
        lim.update(DAEMON_TARGETS.get(d, {}))
        ratio_target(d, f"{label['read']}, 1 thread", "ops", "read", 1, lim["read"])
        ratio_target(d, f"{label['read']}, 4 threads", "ops", "read", 4, lim["read"])
        ratio_target(d, f"{label['read']}, pinned", "pinned", "read", 1, lim["read_pinned"])
        ratio_target(d, "stat, 1 thread", "ops", "stat", 1, lim["stat"])
        ratio_target(d, "stat, pinned", "pinned", "stat", 1, lim["stat_pinned"])
        ratio_target(
            d,
            f"{args.load_ns} namespaces reading in parallel, ops/s",
            "parallel",
            "read",
            args.load_ns,
            PARALLEL_MIN,
            at_least=True,
        )
    for op in ("stat", "read"):
        v = scaling_ratio[op]
        target(
            f"{op}: latency at K={k_max:,} / at K={ks[0]}",
            v,
            f"<= {SCALING_MAX}",
            v <= SCALING_MAX,
            spread=scaling_rounds[op],
        )
    last, first = scaling[-1], scaling[0]
    rss_mib = last["rss_kib"] / 1024
    target(f"RSS at K={k_max:,}", rss_mib, f"<= {RSS_MAX_MIB:g}", rss_mib <= RSS_MAX_MIB, "MiB")
    if dir_scale:
        rss_mib = dir_scale["rss_kib"] / 1024
        target(
            f"RSS at K={k_max:,}, directory mode",
            rss_mib,
            f"<= {RSS_MAX_MIB:g}",
            rss_mib <= RSS_MAX_MIB,
            "MiB",
        )
    for what in ("fds", "threads"):
        growth = last[what] - first[what]
        target(
            f"{what} from K={ks[0]} to K={k_max:,} (one per namespace: +{k_max - ks[0]:,})",
            growth,
            f"<= +{GROWTH_MAX}",
            growth <= GROWTH_MAX,
            "",
        )
    for d in daemons:
        for op, _ in OPS:
            v = gain[op][d]
            target(
                f"{op}: {d} ops/s with 4 threads / 1 thread "
                f"(minimal floor: {gain[op][FLOOR]:.2f}x)",
                v,
                f">= {THREADS_GAIN_MIN}",
                v >= THREADS_GAIN_MIN,
                spread=gain_rounds[op][d],
            )

    # ---- the table
    lines = []
    out = lines.append
    uname = os.uname()
    out(
        f"resolvconffs {args.rev} benchmark: {args.mode} run, {args.rounds} rounds of alternating "
        f"{args.slice:g} s slices, medians; {os.cpu_count()} CPUs, Linux {uname.release}, "
        f"{time.strftime('%Y-%m-%d')}, {args.elapsed} s"
    )
    out(
        "native = tmpfs file; minimal floor (the reference) = FUSE daemon doing no work, "
        "allow_other, no default_permissions"
    )
    out(
        "(bench/floorfs.c: stat = GETATTR, open+read+close = OPEN+READ+RELEASE); floor+dp = the "
        "same with default_permissions"
    )
    out(
        f"(+1 GETATTR per open); {', '.join(daemons)} = resolvconffs. Callers spread over "
        f"{args.load_ns} network namespaces; pinned = one caller"
    )
    out(
        f"and its daemon on CPU {args.pin_cpu}; {args.load_ns} ns in parallel = "
        f"{args.load_ns} callers, one per namespace. us/op = time of one call as its caller sees "
        "it."
    )
    if args.named:
        out(
            "Namespaces have ip netns names (each daemon's --netns-dir holds the K it serves); "
            "files are BACKING/<name>.conf."
        )
    else:
        out("Namespaces are anonymous; files are BACKING/<netns ID>.conf.")
    if args.marked:
        out("Backing files carry resolvconffs' owner mark (xattr), as the files it creates do.")
    busy = (
        f"Other work on the machine while measuring: {args.other_cpus:.2f} of "
        f"{os.cpu_count()} CPUs on average"
    )
    if args.other_cpus > OTHER_CPUS_QUIET:
        busy += (
            " -- NOT a quiet machine: latencies include waiting for a CPU; ratios stay "
            "comparable, absolute numbers do not"
        )
    if args.nice:
        busy += f" (the benchmark ran at nice {args.nice})"
    out(busy + ".")
    out("")
    # Two header lines; one group of columns per resolvconffs configuration.
    w = 44
    head1 = (
        f"{'':{w}} {'':>3} {'native':>8} {'minimal':>8} {'floor+dp':>9} {'floor+dp':>9}"
        f" {'no-open':>8} {'no-open':>9}"
    )
    head2 = (
        f"{'operation':{w}} {'thr':>3} {'us':>8} {'floor us':>8} {'us':>9} {'/minimal':>9}"
        f" {'floor us':>8} {'/minimal':>9}"
    )
    for d in daemons:
        head1 += f" {d:>9} {d:>9} {d:>9} {d:>8}"
        head2 += f" {'us':>9} {'/minimal':>9} {'/floor+dp':>9} {'/native':>8}"
    out(head1)
    out(head2)
    for e in ops:
        r = e["ratios"]
        line = (
            f"{e['label']:{w}} {e['threads']:>3} {fmt_us(e['native']['us_per_op']):>8} "
            f"{fmt_us(e[FLOOR]['us_per_op']):>8} {fmt_us(e[FLOORDP]['us_per_op']):>9} "
            f"{r[FLOORDP + '/' + FLOOR]:>8.2f}x {fmt_us(e[FLOORNO]['us_per_op']):>8} "
            f"{r[FLOORNO + '/' + FLOOR]:>8.2f}x"
        )
        for d in daemons:
            line += (
                f" {fmt_us(e[d]['us_per_op']):>9} {r[d + '/' + FLOOR]:>8.2f}x "
                f"{r[d + '/' + FLOORDP]:>8.2f}x {r[d + '/native']:>7.1f}x"
            )
        out(line)
    par = case("parallel", "read", args.load_ns)
    out(
        f"{args.load_ns} ns in parallel, aggregate ops/s: "
        + ", ".join(
            f"{FLOOR_LABELS.get(s, s)} {par[s]['ops_per_s']:,.0f}"
            for s in ["native"] + FLOORS + daemons
        )
        + "; "
        + ", ".join(f"{d} / minimal floor {par['ratios'][d + '/' + FLOOR + ' ops/s']:.2f}x" for d in daemons)
    )
    out("")
    out("4 threads / 1 thread, aggregate ops/s:")
    for op, label_ in OPS:
        g = gain[op]
        out(
            f"  {label_:34} "
            + "   ".join(f"{FLOOR_LABELS.get(s, s)} {g[s]:.2f}x" for s in subjects)
        )
    out("")
    out(
        "Scaling: resolvconffs after K namespaces each read through it; one caller in one "
        "namespace; /floor = / minimal floor."
    )
    out(
        f"{'K':>8} {'stat us':>9} {'/floor':>7} {'read us':>9} {'/floor':>7} {'RSS MiB':>8} "
        f"{'peak MiB':>9} {'fds':>4} {'threads':>8}"
    )
    for e in scaling:
        out(
            f"{e['k']:>8,} {fmt_us(e['stat_us']):>9} {e['stat_over_floor']:>6.2f}x "
            f"{fmt_us(e['read_us']):>9} {e['read_over_floor']:>6.2f}x "
            f"{e['rss_kib'] / 1024:>8.1f} {e['peak_rss_kib'] / 1024:>9.1f} {e['fds']:>4} "
            f"{e['threads']:>8}"
        )
    if dir_scale:
        e = dir_scale
        out(
            f"{'--dir ' + format(e['k'], ','):>8} {fmt_us(e['stat_us']):>9} "
            f"{e['stat_over_floor']:>6.2f}x {fmt_us(e['read_us']):>9} "
            f"{e['read_over_floor']:>6.2f}x {e['rss_kib'] / 1024:>8.1f} "
            f"{e['peak_rss_kib'] / 1024:>9.1f} {e['fds']:>4} {e['threads']:>8}"
        )
    for s in FLOORS:
        fl = stats[s]
        stat_us = fmt_us(floor_scale["stat_us"]) if s == FLOOR else ""
        read_us = fmt_us(floor_scale["read_us"]) if s == FLOOR else ""
        out(
            f"{SCALE_LABELS[s]:>8} {stat_us:>9} {'':>7} "
            f"{read_us:>9} {'':>7} {fl['rss_kib'] / 1024:>8.1f} "
            f"{fl['peak_rss_kib'] / 1024:>9.1f} {fl['fds']:>4} {fl['threads']:>8}"
        )
    out(
        f"latency(K={k_max:,}) / latency(K={ks[0]}): stat {scaling_ratio['stat']:.2f}x, "
        f"read {scaling_ratio['read']:.2f}x"
    )
    out("")
    out("Targets (the issue's, against the minimal floor)")
    for t in targets:
        unit = t["unit"]
        value = f"{t['value']:+d}" if unit == "" else f"{t['value']:.2f}{unit}"
        spread = t.get("middle_half_of_rounds")
        spread = f", middle half of rounds {spread[0]:.2f}-{spread[1]:.2f}" if spread else ""
        out(
            f"  {'PASS' if t['pass'] else 'MISS'}  {t['name']}: {value} "
            f"({t['limit']}{unit}{spread})"
        )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)

    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, args.name)
    with open(base + ".txt", "w") as f:
        f.write(text)
    result = {
        "mode": args.mode,
        "named_namespaces": bool(args.named),
        "marked_files": bool(args.marked),
        "revision": args.rev,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "kernel": uname.release, "arch": platform.machine()},
        "rounds": args.rounds,
        "slice_s": args.slice,
        "elapsed_s": args.elapsed,
        "other_work_cpus": args.other_cpus,
        "nice": args.nice,
        "load_namespaces": args.load_ns,
        "pin_cpu": args.pin_cpu,
        "daemons": daemons,
        "reference": FLOOR,
        "operations": ops,
        "threads_gain": gain,
        "scaling": scaling,
        "scaling_dir_mode": dir_scale,
        "scaling_floor": floor_scale,
        "scaling_ratio": scaling_ratio,
        "floor_daemons": {s: stats[s] for s in FLOORS},
        "targets": targets,
        "raw": rows,
    }
    with open(base + ".json", "w") as f:
        json.dump(finite(result), f, indent=1)
        f.write("\n")
    plot(base, scaling, floor_scale)


def plot(base, scaling, floor_scale):
    """Latency and RSS against K, log x axis; the FUSE floor's latency for reference."""
    if not shutil.which("gnuplot"):
        print(f"(gnuplot not installed, package gnuplot-nox: no {base}.png)")
        return
    with open(base + ".dat", "w") as f:
        f.write("# K stat_us read_us rss_mib floor_stat_us floor_read_us\n")
        for e in scaling:
            f.write(
                f"{e['k']} {e['stat_us']:.3f} {e['read_us']:.3f} {e['rss_kib'] / 1024:.2f} "
                f"{floor_scale['stat_us']:.3f} {floor_scale['read_us']:.3f}\n"
            )
    # Head room above the curves for the key.
    ymax = 1.5 * max(max(e["stat_us"], e["read_us"]) for e in scaling)
    script = f"""
set terminal pngcairo size 800,480 font "sans,10"
set output "{base}.png"
set title "resolvconffs: one caller's latency and the daemon's RSS against K namespaces served"
set logscale x
set xrange [0.7:14000]
set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set xlabel "K: network namespaces that have read through the mount"
set ylabel "latency, us per call"
set y2label "RSS, MiB"
set yrange [0:{ymax:.0f}]
set y2range [0:{RSS_MAX_MIB * 1.25:g}]
set ytics nomirror
set y2tics
set key top center horizontal maxcols 3 box opaque
set grid
plot "{base}.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "stat", \\
     "" using 1:3 with linespoints lw 2 pt 7 lc rgb "#d62728" title "open+read+close", \\
     "" using 1:4 axes x1y2 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "RSS (right axis)", \\
     "" using 1:5 with lines dt 2 lc rgb "#1f77b4" title "stat, minimal FUSE floor", \\
     "" using 1:6 with lines dt 2 lc rgb "#d62728" title "open+read+close, minimal FUSE floor", \\
     {RSS_MAX_MIB:g} axes x1y2 with lines dt 3 lc rgb "#2ca02c" title "RSS target"
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(base + ".dat")


if __name__ == "__main__":
    main()
