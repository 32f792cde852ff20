#!/usr/bin/env python3
"""Writes BENCHMARKS.md from one run of ./scripts/bench: criterion's estimates (Rust), the Node
and Python peer results, the wasm sizes, the machine and the versions. Every ratio is between
figures of the same run. A goal that is not met gets its "where the time goes" paragraph.

    python3 scripts/bench-report.py --criterion target/criterion --dir target/bench --out BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]


def sh(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine() -> list[str]:
    cpu = "?"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    osname = "?"
    osr = pathlib.Path("/etc/os-release")
    if osr.exists():
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)', osr.read_text(), re.M)
        osname = m.group(1) if m else "?"
    flags = ""
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            have = set(line.split(":", 1)[1].split())
            flags = ", ".join(f for f in ("avx2", "avx512f", "avx512bw") if f in have)
            break
    return [
        f"- CPU: {cpu} ({os.cpu_count()} logical cores; SIMD: {flags or 'baseline'})",
        f"- Memory: {mem}; OS: {osname}, Linux {platform.release()}",
    ]


def lock_version(name: str) -> str:
    text = (ROOT / "Cargo.lock").read_text()
    m = re.search(rf'\[\[package\]\]\nname = "{re.escape(name)}"\nversion = "([^"]+)"', text)
    return m.group(1) if m else "?"


def criterion(root: pathlib.Path) -> dict[str, dict]:
    out = {}
    for bench in root.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        tp = meta.get("throughput") or {}
        out[meta["full_id"]] = {"ns": est["median"]["point_estimate"], "throughput": tp}
    return out


def fmt_time(ns: float) -> str:
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_rate(ns: float, tp: dict) -> str:
    if "Bytes" in tp:
        b = tp["Bytes"] / (ns / 1e9)
        return f"{b / 1e9:.2f} GB/s ({b / 2**20:,.0f} MiB/s)"
    if "Elements" in tp:
        e = tp["Elements"] / (ns / 1e9)
        return f"{e / 1e6:.2f} M/s" if e >= 1e6 else f"{e:,.0f} /s"
    return ""


def peer_rows(results: list[dict]) -> dict[tuple[str, str], dict[str, float]]:
    by: dict[tuple[str, str], dict[str, float]] = {}
    for r in results:
        by.setdefault((r["group"], r["name"]), {})[r["impl"]] = r["ns"]
    return by


def peer_table(results: list[dict], ours_prefix: str = "agentrules") -> list[str]:
    """One table per group: each implementation's median, and for peers the ratio
    peer time / agentrules time (above 1: agentrules is faster)."""
    lines = []
    by = peer_rows(results)
    extra = {(r["group"], r["name"]): r for r in results}
    for (group, name), impls in by.items():
        ours = [k for k in impls if k.startswith(ours_prefix)]
        base = impls[ours[0]]
        unit = ""
        e = extra[(group, name)]
        lines.append(f"\n**{group} / {name}**" + (f" ({e['rows']:,} rows)" if "rows" in e else "")
                     + (f" ({e['bytes'] / 2**20:.1f} MiB, {e['events']:,} events)" if "bytes" in e else "") + "\n")
        lines.append("| implementation | median | rate | peer ÷ agentrules (`" + ours[0].removeprefix('agentrules ') + "`) |")
        lines.append("|---|---:|---:|---:|")
        for impl, ns in impls.items():
            rate = ""
            if "rows" in e:
                rate = f"{e['rows'] / (ns / 1e9):,.0f} rows/s"
            elif "bytes" in e:
                rate = f"{e['bytes'] / (ns / 1e9) / 2**20:,.0f} MiB/s"
            else:
                rate = f"{1e9 / ns:,.0f} /s"
            ratio = "" if impl.startswith(ours_prefix) else f"{ns / base:.2f}×"
            lines.append(f"| {impl} | {fmt_time(ns)} | {rate} | {ratio} |{unit}")
    return lines


# "Where the time goes", from profiling (perf for native code and Python, node --cpu-prof for
# wasm): printed for each goal this run did not meet.
WHERE = json.loads((ROOT / "scripts" / "bench-notes.json").read_text())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    d = pathlib.Path(args.dir)
    crit = criterion(pathlib.Path(args.criterion))
    node = json.loads((d / "node.json").read_text())
    py = json.loads((d / "python.json").read_text())
    sizes = json.loads((d / "sizes.json").read_text())
    nav = json.loads((d / "nav.json").read_text())
    nodep, pyp = peer_rows(node["results"]), peer_rows(py["results"])

    def c(name: str) -> float:
        return crit[name]["ns"]

    goals = []  # (id, goal, measured, met)

    # wasm launch ≤ 2× ajv (typical body, the object a form holds; the form entry is what a form loads)
    t = nodep[("launch", "typical")]
    ajv = t["ajv 8 + hand-written rules"]
    r = t["agentrules check(object)"] / ajv
    r3 = t["agentrules/table check(object)"] / ajv
    m = nodep[("launch", "many_violations")]
    r2 = m["agentrules check(object)"] / m["ajv 8 + hand-written rules"]
    goals.append(("wasm-launch", "wasm launch validation ≤ 2× ajv's time",
                  f"form entry {r:.1f}× ajv (typical: {fmt_time(t['agentrules check(object)'])} vs {fmt_time(ajv)}), table entry {r3:.1f}×; "
                  f"{r2:.1f}× with many violations; zod 4: {t['zod 4 + refinements'] / ajv:.1f}×", r <= 2))
    # Python launch ≤ 1× pydantic
    # Issue 17: a form's keystroke in the form entry (the object a form holds)
    typ = t["agentrules check(object)"]
    goals.append(("wasm-typical", "wasm launch, typical body ≤ 3.5 µs (form entry, object)",
                  f"{fmt_time(typ)} (ajv {fmt_time(ajv)}, zod {fmt_time(t['zod 4 + refinements'])} in this run)", typ <= 3500))
    many, zod_many = m["agentrules check(object)"], m["zod 4 + refinements"]
    goals.append(("wasm-many", "wasm launch, many violations ≤ zod's time (form entry, object)",
                  f"{fmt_time(many)} vs zod {fmt_time(zod_many)} ({many / zod_many:.1f}×)", many <= zod_many))
    k = nodep.get(("launch", "form_15MiB_image_keystroke"))
    if k:
        kt = k["agentrules check(object)"]
        goals.append(("wasm-image-keystroke", "a body holding a checked 15 MiB image ≤ 1 ms per call after the first (form entry)",
                      f"{fmt_time(kt)} (ajv {fmt_time(k['ajv 8 + hand-written rules'])}, zod {fmt_time(k['zod 4 + refinements'])})", kt <= 1e6))

    t = pyp[("launch", "typical")]
    r = t["agentrules check(dict)"] / t["pydantic v2 + validators"]
    m = pyp[("launch", "many_violations")]
    r2 = m["agentrules check(dict)"] / m["pydantic v2 + validators"]
    goals.append(("python-launch", "Python launch validation ≤ 1× pydantic's time",
                  f"{r:.2f}× pydantic (typical: {fmt_time(t['agentrules check(dict)'])} vs {fmt_time(t['pydantic v2 + validators'])}); "
                  f"{r2:.2f}× with many violations", r <= 1 and r2 <= 1))
    # table native ≥ 0.9× raw jsonschema, like for like: every error (validate_elements, which
    # also checks the keys, against iter_errors) and a yes/no (is_valid against is_valid)
    ours = c("table/100k_rows/agentrules_validate_elements")
    it, iv = c("table/100k_rows/jsonschema_iter_errors"), c("table/100k_rows/jsonschema_is_valid")
    oiv = c("table/100k_rows/agentrules_is_valid")
    goals.append(("table-native", "table throughput ≥ 0.9× raw `jsonschema` (native)",
                  f"every error: {it / ours:.2f}× (`validate_elements`, keys included, against `iter_errors`); "
                  f"yes/no: {iv / oiv:.2f}× (`is_valid` against `is_valid`; `validate_elements` is {iv / ours:.2f}× of it)",
                  it / ours >= 0.9 and iv / oiv >= 0.9))
    # table Python ≥ jsonschema-rs, the same pairs
    t = pyp[("table", "10k_rows")]
    ours = t["agentrules validate_elements"]
    a, b = t["jsonschema-rs iter_errors"] / ours, t["jsonschema-rs is_valid"] / t["agentrules is_valid"]
    goals.append(("table-python", "table throughput in Python ≥ jsonschema-rs",
                  f"every error: {a:.2f}× (`validate_elements` against `iter_errors`); yes/no: {b:.2f}× (`is_valid` against `is_valid`)",
                  a >= 1 and b >= 1))
    # SSE native ≥ 1 GB/s
    s = crit["sse/decode_100MB_16KiB_chunks"]
    gbs = s["throughput"]["Bytes"] / s["ns"]
    goals.append(("sse-native", "SSE decoding ≥ 1 GB/s (native)", f"{gbs:.2f} GB/s", gbs >= 1))
    # SSE Node ≥ 3× eventsource-parser (both entries have SseDecoder)
    t = nodep[("sse", "20MiB_16KiB_chunks")]
    r = t["eventsource-parser"] / t["agentrules SseDecoder"]
    r2 = t["eventsource-parser"] / t["agentrules/table SseDecoder"]
    goals.append(("sse-node", "SSE in Node ≥ 3× eventsource-parser",
                  f"form entry {r:.2f}×, table entry {r2:.2f}×", max(r, r2) >= 3))
    # SSE Python ≥ 10× httpx-sse
    t = pyp[("sse", "20MiB_16KiB_chunks")]
    r = t["httpx-sse decoders"] / t["agentrules SseDecoder"]
    goals.append(("sse-python", "SSE in Python ≥ 10× httpx-sse", f"{r:.2f}×", r >= 10))
    # one 20 MiB image < 1 ms natively
    img = c("image/one_20MiB_image/launch_value")
    floor = c("image/one_20MiB_image/read_floor_memchr")
    goals.append(("image-native", "a 20 MiB image checked in < 1 ms (native)",
                  f"{fmt_time(img)} (the machine's read floor over the same 28 MB: {fmt_time(floor)})", img < 1e6))
    # each entry's wasm within its budget (sizes.mjs), gzipped
    for e in sizes["entries"]:
        if e["budget"]:
            gid = e["entry"].split(" (")[1].split(" ")[0] + "-size"
            goals.append((gid, f"{e['entry']} ≤ {e['budget'] / 1024:.0f} KB gzipped", f"{e['gzip'] / 1024:.1f} KB", e["gzip"] <= e["budget"]))
    # Issue 17's own size goals, beside the budgets above (which guard against growth)
    by_name = {e["entry"].split(" (")[0]: e["gzip"] for e in sizes["entries"]}
    for gid, name, goal_kib in (("form-size-goal", "agentrules", 86), ("table-size-goal", "agentrules/table", 700)):
        if name in by_name:
            goals.append((gid, f"{name} ≤ {goal_kib} KB gzipped (issue 17's goal)", f"{by_name[name] / 1024:.1f} KB", by_name[name] <= goal_kib * 1024))
    # tables in Node ≥ 0.5 M rows/s (the table entry's TableValidator over the 10-column rows)
    tn = next((r for r in node["results"] if r["group"] == "table" and r["impl"] == "agentrules TableValidator"), None)
    if tn:
        rate = tn["rows"] / (tn["ns"] / 1e9)
        ajv_t = nodep[("table", "10k_rows")].get("ajv 8 (allErrors)")
        peer = f" (ajv {tn['rows'] / (ajv_t / 1e9) / 1e6:.2f} M rows/s)" if ajv_t else ""
        goals.append(("table-node", "tables in Node ≥ 0.5 M rows/s (table entry, `TableValidator.validateElements`)",
                      f"{rate / 1e6:.3f} M rows/s{peer}", rate >= 5e5))
    # navigation → first validation of the built form page ≤ 120 ms (median of cold loads, no throttling)
    first = next(r for r in nav["results"] if r["page"] == "index.html" and r["cpuThrottling"] == 1)
    floor_page = next((r for r in nav["results"] if r["page"] == "floor.html" and r["cpuThrottling"] == 1), None)
    floor_note = f" (a page with no agentrules: {floor_page['medianMs']:.0f} ms)" if floor_page else ""
    goals.append(("nav-form", "navigation → first validation of the built form page ≤ 120 ms (Chromium, median of cold loads)",
                  f"{first['medianMs']:.0f} ms{floor_note}", first["medianMs"] <= 120))

    dirty = " (with uncommitted changes)" if sh("git", "status", "--porcelain", "--untracked-files=no") else ""
    lines = [
        "# Benchmarks",
        "",
        "Written by `./scripts/bench` (every benchmark, ~15 min; not part of the test command). "
        "Each peer ran in the same process run as agentrules, on the same inputs "
        "(`core/benches/data/`), and had to agree with agentrules on which inputs are valid. "
        "Medians; ratios are between figures of this run.",
        "",
        f"Run: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit "
        f"`{sh('git', 'rev-parse', '--short', 'HEAD')}`{dirty}.",
        "",
        "## Machine and versions",
        "",
        *machine(),
        f"- {sh('rustc', '--version')}; criterion {lock_version('criterion')}; jsonschema {lock_version('jsonschema')}; "
        f"serde_json {lock_version('serde_json')}; release profile: opt-level 3, thin LTO",
        f"- Node {node['versions']['node']}: ajv {node['versions']['ajv']}, zod {node['versions']['zod']}, "
        f"eventsource-parser {node['versions']['eventsource-parser']}; {sizes['wasmBindgen']}",
        f"- Python {py['versions']['python']}: pydantic {py['versions']['pydantic']}, jsonschema-rs {py['versions']['jsonschema-rs']}, "
        f"httpx-sse {py['versions']['httpx-sse']}; pyo3 {lock_version('pyo3')} (abi3 wheel, release)",
        "",
        "## Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
    ]
    for gid, goal, measured, met in goals:
        lines.append(f"| {goal} | {measured} | {'met' if met else f'**not met** ([why](#{gid}))'} |")

    lines += ["", "## Rust (criterion)", "", "`cargo bench -p agentrules --bench launch --bench table --bench sse --bench policy`", "",
              "| benchmark | median | throughput |", "|---|---:|---:|"]
    for name in sorted(crit):
        lines.append(f"| `{name}` | {fmt_time(crit[name]['ns'])} | {fmt_rate(crit[name]['ns'], crit[name]['throughput'])} |")
    lines += ["", "`sse/decode_100MB_16KiB_chunks` decodes into owned items (`push_into`); `…_borrowed` hands borrowed "
              "text to a sink (`push_with`, what the bindings use). `table/100k_rows/agentrules_validate_elements` checks the "
              "keys (T4), then runs `is_valid` per row and `iter_errors` only for a failing row."]

    lines += ["", "## Node (the npm package, wasm)", "", "`node bindings-wasm/bench/peers.mjs` (ajv with `allErrors`, the launch body's "
              "JSON Schema from `agentrules schema launch`, plus the cross-field and image rules hand-written in JS; zod 4 with the "
              "same rules as refinements)."]
    lines += peer_table(node["results"])
    lines += ["", "## Python", "", "`bindings-python/bench/peers.py` (pydantic v2 with validators for the cross-field and image "
              "rules; jsonschema-rs; httpx-sse's line and event decoders)."]
    lines += peer_table(py["results"])
    lines += ["", "## Wasm sizes", "", f"`node bindings-wasm/scripts/sizes.mjs` ({sizes['wasmBindgen']}; KB = 1024 bytes)", "",
              "| entry | raw | wasm-opt | gzip -9 | brotli 11 | budget |", "|---|---:|---:|---:|---:|---|"]
    for e in sizes["entries"]:
        budget = f"{e['budget'] / 1024:.0f} KB gzipped" if e["budget"] else ""
        lines.append(f"| {e['entry']} | {e['raw'] / 1024:.1f} KB | {e['wasmOpt'] / 1024:.1f} KB | {e['gzip'] / 1024:.1f} KB | "
                     f"{e['brotli'] / 1024:.1f} KB | {budget} |")

    lines += ["", "## Navigation → first validation (Chromium)", "",
              f"`node bindings-wasm/scripts/nav-timing.mjs` over the consumer app's Vite build ({nav['chromium']}, headless; "
              "each load cold: a fresh browser context, cache disabled; ms from navigation start to the page's mark right after "
              "its first check).", "",
              "| page | entry | CPU | median | runs (ms) |", "|---|---|---|---:|---|"]
    for r in nav["results"]:
        lines.append(f"| `{r['page']}` | {r['entry']} | {r['cpuThrottling']}× | {r['medianMs']:.0f} ms | "
                     f"{', '.join(f'{x:.0f}' for x in r['ms'])} |")

    unmet = [(gid, goal) for gid, goal, _, met in goals if not met]
    if unmet:
        lines += ["", "## Where the time goes", "", "For each goal this run did not meet (profiled: perf for native code and "
                  "Python, `node --cpu-prof` on a build with names for wasm)."]
        for gid, goal in unmet:
            lines += ["", f'<a id="{gid}"></a>', f"### {goal}", "", WHERE.get(gid, "(no analysis recorded)")]
    lines.append("")
    pathlib.Path(args.out).write_text("\n".join(lines))


if __name__ == "__main__":
    main()
