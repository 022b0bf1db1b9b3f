"""Turns the JSON lines of one bench/serve/run.sh into Markdown tables (stdout).

Usage: report.py RESULTS_JSONL...  (several files: their lines together, e.g. sections run apart)
"""
import json
import statistics
import sys


def main():
    rows = [json.loads(line) for name in sys.argv[1:] for line in open(name)
            if line.startswith("{")]
    python = {r["batch"]: r for r in rows if r["kind"] == "python"}
    java = {r["batch"]: r for r in rows if r["kind"] == "java-predictor"}
    server = {(r["batch"], r["concurrency"]): r for r in rows if r["kind"] == "server"}
    rss = [r for r in rows if r["kind"] == "rss"]
    status = next((r for r in rows if r["kind"] == "server-status"), None)
    batches = sorted({b for b, _ in server} | set(python))
    concurrencies = sorted({c for _, c in server})

    loads = [r for r in rows if r["kind"] == "load"]
    if loads:
        print("Load average (1, 5, 15 min) on the machine: "
              + "; ".join(f"{r['when']} {r['utc']} UTC: {r['loadavg']}" for r in loads) + ".\n")
    if server or python or java:
        rest_tables(batches, concurrencies, python, java, server, status, rss)
    protocol_table([r for r in rows if r["kind"] == "protocol"])
    batching_table(rows)
    switch_table(rows)


def rest_tables(batches, concurrencies, python, java, server, status, rss):
    def cell(r, key, fmt):
        return fmt.format(r[key]) if r else "-"

    print("One caller at a time (the server: one client thread, requests back to back):\n")
    print("| batch | Python direct calls/s | p50 ms | p99 ms "
          "| Java Predictor calls/s | p50 ms | p99 ms "
          "| HTTP server req/s | p50 ms | p99 ms | server / Python: req/s | p50 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in batches:
        p, j, s = python.get(b), java.get(b), server.get((b, 1))
        ratio = (f"{s['per_s'] / p['per_s']:.2f}x | {s['p50_ms'] / p['p50_ms']:.2f}x"
                 if p and s else "- | -")
        print(f"| {b} | {cell(p, 'per_s', '{:.0f}')} | {cell(p, 'p50_ms', '{:.2f}')} "
              f"| {cell(p, 'p99_ms', '{:.2f}')} | {cell(j, 'per_s', '{:.0f}')} "
              f"| {cell(j, 'p50_ms', '{:.2f}')} | {cell(j, 'p99_ms', '{:.2f}')} "
              f"| {cell(s, 'per_s', '{:.0f}')} | {cell(s, 'p50_ms', '{:.2f}')} "
              f"| {cell(s, 'p99_ms', '{:.2f}')} | {ratio} |")
    if status:
        print(f"\nThe HTTP round trip alone (GET status, one client, no model): "
              f"{status['per_s']:.0f} req/s, p50 {status['p50_ms']:.2f} ms, "
              f"p99 {status['p99_ms']:.2f} ms.")
    for c in concurrencies:
        if c == 1:
            continue
        print(f"\nThe HTTP server with {c} client threads at once:\n")
        print("| batch | req/s | images/s | p50 ms | p99 ms | request body | "
              "req/s / Python direct calls/s |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for b in batches:
            s, p = server.get((b, c)), python.get(b)
            if not s:
                continue
            ratio = f"{s['per_s'] / p['per_s']:.2f}x" if p else "-"
            print(f"| {b} | {s['per_s']:.0f} | {s['per_s'] * b:.0f} | {s['p50_ms']:.2f} "
                  f"| {s['p99_ms']:.2f} | {s['request_bytes'] / 1024:.0f} KiB | {ratio} |")
    if rss:
        print("\nServer resident memory (VmRSS) over a run of batch-1 requests, after the "
              "measurements above:\n")
        print("| requests | RSS MiB | change since 0 |")
        print("|---:|---:|---:|")
        first = rss[0]["rss_kb"]
        for r in rss:
            print(f"| {r['requests']:,} | {r['rss_kb'] / 1024:.1f} "
                  f"| {(r['rss_kb'] - first) / 1024:+.1f} MiB |")

    print()


def by_side(rows):
    """{(batch, side): [row per round]} and {(batch, round): {side: row}}."""
    cells, rounds = {}, {}
    for r in rows:
        cells.setdefault((r["batch"], r["side"]), []).append(r)
        rounds.setdefault((r["batch"], r["round"]), {})[r["side"]] = r
    return cells, rounds


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def ratio(rounds, batch, top, bottom, key):
    """The median over rounds of top/bottom, each ratio within one round."""
    ratios = [sides[top][key] / sides[bottom][key] for (b, _), sides in rounds.items()
              if b == batch and top in sides and bottom in sides]
    return statistics.median(ratios) if ratios else float("nan")


def protocol_table(rows):
    if not rows:
        return
    cells, rounds = by_side(rows)
    n = len({r["round"] for r in rows})
    print(f"gRPC against REST, same server and model, one client, {n} rounds alternating the "
          "sides (medians over rounds; ratios are medians of the per-round ratios):\n")
    print("| batch | REST req/s | p50 ms | p99 ms | gRPC req/s | p50 ms | p99 ms "
          "| gRPC/REST req/s | gRPC/REST p50 | request bytes REST / gRPC |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for batch in sorted({r["batch"] for r in rows}):
        rest, grpc = cells[(batch, "rest")], cells[(batch, "grpc")]
        print(f"| {batch} | {median(rest, 'per_s'):.0f} | {median(rest, 'p50_ms'):.2f} "
              f"| {median(rest, 'p99_ms'):.2f} | {median(grpc, 'per_s'):.0f} "
              f"| {median(grpc, 'p50_ms'):.2f} | {median(grpc, 'p99_ms'):.2f} "
              f"| {ratio(rounds, batch, 'grpc', 'rest', 'per_s'):.2f}x "
              f"| {ratio(rounds, batch, 'grpc', 'rest', 'p50_ms'):.2f}x "
              f"| {rest[0]['request_bytes']:,} / {grpc[0]['request_bytes']:,} |")
    print()


def batching_table(rows):
    if any(r["kind"] == "batching-skipped" for r in rows):
        print("Batching on/off: skipped, the server refused --enable_batching.\n")
        return
    batching = [r for r in rows if r["kind"] == "batching"]
    if not batching:
        return
    cells, rounds = by_side(batching)
    parameters = next((r["text"] for r in rows if r["kind"] == "batching-parameters"), "?")
    clients = batching[0]["concurrency"]
    n = len({r["round"] for r in batching})
    print(f"Batching on and off: {clients} concurrent batch-1 gRPC clients, two servers "
          f"(--threads={clients} each), {n} rounds alternating; batching parameters: "
          f"`{parameters}`\n")
    print("| batching | req/s | p50 ms | p99 ms | req/s on/off | p99 on/off |")
    print("|---|---:|---:|---:|---:|---:|")
    for side in ("off", "on"):
        c = cells[(1, side)]
        ratios = (f"{ratio(rounds, 1, 'on', 'off', 'per_s'):.2f}x "
                  f"| {ratio(rounds, 1, 'on', 'off', 'p99_ms'):.2f}x" if side == "on" else "- | -")
        print(f"| {side} | {median(c, 'per_s'):.0f} | {median(c, 'p50_ms'):.2f} "
              f"| {median(c, 'p99_ms'):.2f} | {ratios} |")
    print()


def switch_table(rows):
    switches = [r for r in rows if r["kind"] == "switch"]
    if not switches:
        return
    summary = next((r for r in rows if r["kind"] == "switch-summary"), None)
    mib = [r["rss_kb"] / 1024 for r in switches]
    reference_index = min(20, len(switches)) - 1
    reference, last = mib[reference_index], mib[-1]
    times = [r["seconds"] for r in switches]
    print(f"Server RSS over {len(switches)} hot version switches (VmRSS after each switch):\n")
    print("| after switch 1 | after switch 20 | max | last | last / after 20 | within 10% |")
    print("|---:|---:|---:|---:|---:|---|")
    print(f"| {mib[0]:.1f} MiB | {reference:.1f} MiB | {max(mib):.1f} MiB "
          f"(switch {mib.index(max(mib)) + 1}) | {last:.1f} MiB | {last / reference:.3f} "
          f"| {'yes' if abs(last / reference - 1) <= 0.10 else 'NO'} |")
    print(f"\nRSS every 20 switches (MiB): "
          + ", ".join(f"{switches[i]['switch']}: {mib[i]:.1f}"
                      for i in range(len(switches)) if (i + 1) % 20 == 0 or i == 0))
    print(f"\nSwitch time (new version written until it alone is AVAILABLE): median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s.")
    if summary:
        failure = f" First failure: {summary['first_failure']}" if summary["first_failure"] else ""
        print(f"Requests during the switches ({summary['clients']} gRPC clients, batch 1): "
              f"{summary['requests_ok']:,} succeeded, {summary['requests_failed']:,} failed."
              + failure)
    print()


if __name__ == "__main__":
    main()
