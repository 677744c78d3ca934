#!/usr/bin/python3
"""Prints the Markdown tables of docs/PERFORMANCE.md ("Side by side ...") from the results of
compare_peers.py, so the page can be regenerated from a run rather than edited by hand.

    /usr/bin/python3 benchmarks/peers/tables.py [results/peers.json]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

COLUMNS = ("peer", "store ms", "one-time setup in reader ms", "open ms", "full read (sum) ms",
           "reader process wall ms", "on disk bytes", "reader RssAnon growth KiB", "reader VmHWM KiB")


def ms(value):
    """Milliseconds with about three significant digits."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value:.3f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def count(value):
    return "—" if value is None else f"{value:,}"


def row(title, peer):
    store = ms(peer.get("store_ms"))
    if "floor_ms" in peer:
        store += f" (RandomAccess.Write: {ms(peer['floor_ms'])})"
    opened = ms(peer.get("open_ms")) if "open_ms" in peer else "—"
    if "second_open_ms" in peer:
        opened += f" ({ms(peer['second_open_ms'])} second get)"
    cells = (title, store, ms(peer.get("setup_ms")) if "setup_ms" in peer else "—", opened,
             ms(peer.get("read_ms")) if "read_ms" in peer else "—",
             ms(peer.get("process_ms")) if "process_ms" in peer else "—",
             count(peer.get("disk_bytes")), count(peer.get("anon_growth_kb")), count(peer.get("hwm_kb")))
    return "| " + " | ".join(cells) + " |"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "peers.json")
    with open(path) as results:
        report = json.load(results)
    for name, size in sorted(report["sizes"].items(), key=lambda item: item[1]["nbytes"]):
        shape = "×".join(str(d) for d in size["shape"])
        print(f"### {name}: {shape} float32 = {size['nbytes']:,} bytes\n")
        print("| " + " | ".join(COLUMNS) + " |")
        print("|---|" + "---:|" * (len(COLUMNS) - 1))
        for title, peer in size["peers"].items():
            print(row(title, peer))
        print()


if __name__ == "__main__":
    main()
