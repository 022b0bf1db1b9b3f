"""Turns the JSON lines of one bench/serve/run.sh into Markdown tables (stdout).

Usage: report.py RESULTS_JSONL
"""
import json
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
    python = {r["batch"]: r for r in rows if r["kind"] == "python"}
    java = {r["batch"]: r for r in rows if r["kind"] == "java-predictor"}
    server = {(r["batch"], r["concurrency"]): r for r in rows if r["kind"] == "server"}
    rss = [r for r in rows if r["kind"] == "rss"]
    status = next((r for r in rows if r["kind"] == "server-status"), None)
    batches = sorted({b for b, _ in server} | set(python))
    concurrencies = sorted({c for _, c in server})

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


if __name__ == "__main__":
    main()
