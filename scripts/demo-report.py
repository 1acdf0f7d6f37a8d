#!/usr/bin/env python3
"""demo-report.py DIR SECONDS LOGROOT — the table `make demo` prints, from what the run left:
tt-oe's stage histograms and summary and the summaries of tt-md and tt-strat (log events in
LOGROOT/testnet/<proc>/<date>.jsonl, written by tt-logwriter; the last run's), tt-oe's status
(positions) and tt-venue's account and books (taken after the kill switch, so positions held
still), and the supervisor's events (DIR/engine.err)."""
import json, os, sys

import glob
d, secs, root = sys.argv[1], sys.argv[2], sys.argv[3]
err = open(os.path.join(d, "engine.err"), errors="replace").read().splitlines()
logs = []
for f in sorted(glob.glob(os.path.join(root, "testnet", "tt-*", "*.jsonl"))):
    for line in open(f, errors="replace"):
        try:
            logs.append(json.loads(line))
        except ValueError:
            pass
logs.sort(key=lambda e: e.get("ts", ""))

def load(name):
    try:
        return json.load(open(os.path.join(d, name)))
    except (OSError, ValueError):
        return None

def event(proc, name):
    for e in reversed(logs):
        if e.get("proc") == proc and e.get("event") == name:
            return e
    return {}

cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
print()
print(f"ticktrade demo: taker strategy, tt-venue synthetic BTCUSDT + ETHUSDT, {secs} s")
print(f"machine: {cpu}, {os.cpu_count()} CPUs; processes not pinned, futex ring waits (shared cores)")
print()

# internal tick-to-trade by stage: tt-oe's last run logged one event per stage
summary = event("tt-oe", "oe_summary")
stages = {}
for e in reversed(logs):
    if e.get("proc") == "tt-oe" and e.get("event") == "oe_stage_latency" and e.get("pid") == summary.get("pid"):
        stages.setdefault(e["stage"], e)
order = ["md_publish", "strat_receive", "strat_decide", "oe_receive", "risk", "encode_journal", "send", "t2t_internal"]
labels = {"md_publish": "md reaped -> md published", "strat_receive": "md published -> strat received",
          "strat_decide": "strat received -> decided", "oe_receive": "decided -> oe received",
          "risk": "oe received -> risk done", "encode_journal": "risk done -> encoded+journaled",
          "send": "encoded -> handed to the kernel", "t2t_internal": "TOTAL internal tick-to-trade"}
print(f"{'internal tick-to-trade (ns)':34s} {'count':>7s} {'p50':>9s} {'p90':>9s} {'p99':>9s} {'p99.9':>9s} {'max':>10s}")
for k in order:
    e = stages.get(k)
    if not e:
        continue
    if k == "t2t_internal":
        print("  " + "-" * 90)
    print(f"  {labels[k]:32s} {e['count']:>7} {e['p50_ns']:>9} {e['p90_ns']:>9} {e['p99_ns']:>9} {e['p999_ns']:>9} {e['max_ns']:>10}")
if not stages:
    print("  (no oe_stage_latency events found under " + root + ")")
# wire-to-wire: tt-venue's own clock, from handing the tick's frame to the kernel to reading
# the order.place whose strategyId names that tick's update id (harness/venue/src/w2w.c)
w = (load("w2w.json") or {}).get("w2w")
print("  " + "-" * 90)
if w and w.get("count"):
    print(f"  {'WIRE-TO-WIRE (tt-venue clock)':32s} {w['count']:>7} {w['p50_ns']:>9} {w['p90_ns']:>9} {w['p99_ns']:>9} {w['p999_ns']:>9} {w['max_ns']:>10}")
    print(f"    (tick's frame to the kernel -> its order read: both loopback crossings;"
          f" {w.get('unmatched', 0)} orders unpaired)")
else:
    print("  wire-to-wire (venue wrote tick -> venue read order): no orders with a known cause"
          + (f" ({w.get('unmatched', 0)} unmatched)" if w else " (venue w2w summary missing)"))
print()

c = summary
print(f"orders: {c.get('intents','?')} intents, {c.get('sent','?')} sent, {c.get('acks','?')} acked, "
      f"{c.get('fills','?')} fills; rejects {c.get('rejects','?')} "
      f"(risk {c.get('risk_rejects','?')}, filters {c.get('filter_rejects','?')}, venue {c.get('venue_rejects','?')})")

acct, st = load("account.json"), load("oe-status.json")
mids = {}
for s in ("BTCUSDT", "ETHUSDT"):
    b = load(f"book-{s}.json")
    if b and b.get("bids") and b.get("asks"):
        mids[s] = (float(b["bids"][0][0]) + float(b["asks"][0][0])) / 2
scale = {"BTCUSDT": 5, "ETHUSDT": 4}   # qty scales in config/testnet.ini
if acct:
    fills = [f for f in acct.get("fills", []) if f.get("account") == 0]
    pos = acct.get("positions", {}).get("0", {})
    cash = 0.0
    for f in fills:
        v = float(f["price"]) * float(f["qty"])
        cash += v if f["side"] == "SELL" else -v
    mark = sum(float(q) * mids.get(s, 0.0) for s, q in pos.items())
    print(f"venue: {len(fills)} fills; P&L (cash + position at mid) {cash + mark:+.5f} USDT, no fees")
    for s, q in sorted(pos.items()):
        eng = st.get("positions", {}).get(s) if st else None
        eq = f"{eng / 10 ** scale[s]:.5f}" if isinstance(eng, int) and s in scale else "?"
        same = "equal" if eq != "?" and abs(float(eq) - float(q)) < 1e-9 else "DIFFERENT"
        print(f"  position {s}: venue {float(q):+.5f}, engine {eq} -> {same}")
md, strat = event("tt-md", "md_summary"), event("tt-strat", "strat_summary")
print(f"md: {md.get('msgs','?')} messages, {md.get('published','?')} published to rings, "
      f"{md.get('resyncs','?')} resyncs; strat: {strat.get('md_in','?')} events in, {strat.get('intents','?')} intents")
crashes = [l for l in err if '"event":"child_exited"' in l]
print(f"supervisor: {len(crashes)} unplanned child exits")
