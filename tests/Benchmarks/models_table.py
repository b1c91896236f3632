#!/usr/bin/env python3
"""The table of tests/Benchmarks/models.sh from its log: Relucent's `models` lines against libtorch's `bench` lines.

Each row's figure is the median over the rounds of each round's median (ms per example); the ratio is libtorch's
over Relucent's (above 1: Relucent faster), with the median and range of the rounds' own ratios (round i's libtorch row over
round i's Relucent row, measured minutes apart in the same run). Relucent's batch 1 is the faster of its 1- and
2-kernel-thread rows (named in the table). Usage: models_table.py LOG [LOG...] (the rounds of several runs together)
"""
import re
import statistics
import sys

# Issues 14 and 19: the least ratio over libtorch asked for at batch 1 and batch 8.
TARGETS = {"resnet18": (2, 2), "resnet50": (2, 2), "vgg11_bn": (2, 2), "alexnet": (1, 1.5), "mobilenet_v2": (2, 2), "googlenet": (2, 2)}


def parse(paths):
    """The rows of every log, their rounds numbered on from one log to the next."""
    rows, cpu, failures, round_, offset = {}, {}, {}, 0, 0
    lines = []
    for path in paths:
        text = open(path, encoding="utf-8").read().splitlines()
        lines += [(offset, line) for line in text]
        offset += max((int(line.split("=")[1]) for line in text if line.startswith("round=")), default=0)
    for offset, line in lines:
        line = line.strip()
        if line.startswith("round="):
            round_ = offset + int(line.split("=")[1])
            continue
        m = re.match(r"(relucent|libtorch) (model=.*)", line)
        if not m:
            continue
        fields = dict(f.split("=", 1) for f in re.findall(r"\S+=\"[^\"]*\"|\S+=\S+", m.group(2)))
        tool, model = m.group(1), fields["model"]
        if " failed " in line:
            failures[(tool, model, fields.get("batch"), fields.get("mode"))] = line.split(" failed ", 1)[1]
            continue
        if "ms_per_example" not in fields:
            continue
        how = " ".join(f"{k}={fields[k]}" for k in ("threads", "workers", "call") if k in fields)
        key = (tool, model, int(fields["batch"]), fields["mode"], how)
        rows.setdefault(key, {})[round_] = float(fields["ms_per_example"])
        if "cpu_ms_per_example" in fields:
            cpu.setdefault(key, {})[round_] = float(fields["cpu_ms_per_example"])
    return rows, cpu, failures


def variants(rows, tool, model, batch, mode):
    return {k[4]: v for k, v in rows.items() if k[:4] == (tool, model, batch, mode)}


def best(rows, tool, model, batch, mode):
    """(how, {round: ms}) of the variant with the least median, or None."""
    found = variants(rows, tool, model, batch, mode)
    if not found:
        return None
    return min(found.items(), key=lambda kv: statistics.median(kv[1].values()))


def ratio_cell(relucent, libtorch):
    med = statistics.median(libtorch.values()) / statistics.median(relucent.values())
    paired = [libtorch[r] / relucent[r] for r in relucent if r in libtorch]
    # The median of the rounds' own ratios as well: each pairs rows minutes apart, so a slow spell of the machine that
    # touches one round moves it less than it moves either side's median.
    spread = f" (paired {statistics.median(paired):.2f}, {min(paired):.2f}–{max(paired):.2f})" if len(paired) > 1 else ""
    return med, f"**{med:.2f}×**{spread}"


def main(paths):
    rows, cpu, failures = parse(paths)
    models = list(dict.fromkeys(k[1] for k in rows))
    rounds = max((r for v in rows.values() for r in v), default=0)
    print(f"Saliency (input gradient of one logit per example), ms per example, median of {rounds} round(s); ratio = libtorch / Relucent (the median and range of the rounds' own ratios);")
    print("CPU: the process's CPU time (all threads) per example, the same calls\n")
    print("| model | batch | Relucent | how | libtorch | ratio | target | Relucent CPU | libtorch CPU | CPU ratio |")
    print("|---|---:|---:|---|---:|---:|---|---:|---:|---:|")
    for model in models:
        for i, batch in enumerate((1, 8)):
            r = best(rows, "relucent", model, batch, "saliency")
            l = best(rows, "libtorch", model, batch, "saliency")
            target = TARGETS.get(model, (None, None))[i]
            if r is None:
                continue
            rmed = statistics.median(r[1].values())
            if l is None:
                why = failures.get(("libtorch", model, str(batch), "saliency"), "no row")
                print(f"| {model} | {batch} | {rmed:.1f} | {r[0]} | failed: {why} | – | ≥ {target}× |")
                continue
            med, cell = ratio_cell(r[1], l[1])
            verdict = "met" if target is not None and med >= target else "missed"
            rc, lc = cpu.get(("relucent", model, batch, "saliency", r[0])), cpu.get(("libtorch", model, batch, "saliency", l[0]))
            cpu_cells = (f"{statistics.median(rc.values()):.1f} | {statistics.median(lc.values()):.1f} | {ratio_cell(rc, lc)[1]}"
                         if rc and lc else "– | – | –")
            print(f"| {model} | {batch} | {rmed:.1f} | {r[0]} | {statistics.median(l[1].values()):.1f} | {cell} | ≥ {target}× {verdict} | {cpu_cells} |")
    print("\nBatch-1 saliency on 1 and 2 kernel threads (ms, median over rounds)\n")
    print("| model | 1 thread | 2 threads | CPU, 1 thread | CPU, 2 threads |")
    print("|---|---:|---:|---:|---:|")
    for model in models:
        v = variants(rows, "relucent", model, 1, "saliency")
        c = {k[4]: x for k, x in cpu.items() if k[:4] == ("relucent", model, 1, "saliency")}
        cells = [f"{statistics.median(d[h].values()):.1f}" if h in d else "–" for d in (v, c) for h in ("threads=1", "threads=2")]
        print(f"| {model} | {' | '.join(cells)} |")
    print("\nForward, batch 1 (ms): Relucent's span overload with a workspace, its `Forward(float[])`, libtorch under no_grad\n")
    print("| model | Relucent span | Relucent float[] | libtorch | ratio | Relucent saliency / forward |")
    print("|---|---:|---:|---:|---:|---:|")
    for model in models:
        v = variants(rows, "relucent", model, 1, "forward")
        span, array = v.get("threads=1"), v.get("threads=1 call=array")
        l = best(rows, "libtorch", model, 1, "forward")
        s = best(rows, "relucent", model, 1, "saliency")
        if span is None:
            continue
        smed = statistics.median(span.values())
        amed = f"{statistics.median(array.values()):.1f}" if array else "–"
        lmed, cell = (f"{statistics.median(l[1].values()):.1f}", ratio_cell(span, l[1])[1]) if l else ("–", "–")
        sal = f"{statistics.median(s[1].values()) / smed:.2f}" if s else "–"
        print(f"| {model} | {smed:.1f} | {amed} | {lmed} | {cell} | {sal} |")
    for (tool, model, batch, mode), why in failures.items():
        print(f"\n{tool} {model} batch={batch} mode={mode} failed: {why}")


if __name__ == "__main__":
    main(sys.argv[1:])
