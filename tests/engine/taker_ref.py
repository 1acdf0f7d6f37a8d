#!/usr/bin/env python3
"""taker_ref.py — the known feed and the independent reference for e2e_engine_orders.sh.

  taker_ref.py feed FILE            writes a tt-venue replay file: BTCUSDT bookTicker frames
                                    every 20 ms from t = 2 s, mostly balanced, with taker
                                    signals and near misses at known frames
  taker_ref.py check FEED VENUE_ERR compares the orders tt-venue read (its api_order events)
                                    with the orders the taker rule gives on FEED; exit 1 and
                                    the difference when they are not exactly equal

The reference is written from the rule as documented (strategy/src/taker.c header, and
[strategy.taker] below), not from our code: on each book top of a live instrument,
  imb = floor(bid_qty * 100 / (bid_qty + ask_qty))
  imb >= PCT -> buy QTY at the ask (LIMIT IOC); imb <= 100 - PCT -> sell QTY at the bid,
only when ask > bid > 0, ask - bid <= MAX_SPREAD ticks, and more than COOLDOWN book updates
passed since the last order (the first update may trade at once). MAX_POSITION is set so high
that it never binds, so fills (timing) cannot change what is sent. Every expected order carries
its tick's update id as its cause (strategyId). Signals are >= 200 ms apart: more than the risk
dup window, and far more than the engine needs, so timing cannot change the outcome.
"""
import json
import random
import sys
from decimal import Decimal

PCT, QTY, MAX_SPREAD, COOLDOWN = 65, 100, 5, 5       # the test's [strategy.taker]
PX_SCALE, QTY_SCALE, TICK = 2, 5, 1                    # BTCUSDT in config/testnet.ini
STREAM = "btcusdt@bookTicker"


def fx(s, scale):
    return int(Decimal(s).scaleb(scale))


def px(v):
    return f"{Decimal(v).scaleb(-PX_SCALE):.{PX_SCALE}f}"


def qty(v):
    return f"{Decimal(v).scaleb(-QTY_SCALE):.{QTY_SCALE}f}"


def feed(path):
    rnd = random.Random(20261123)
    mid = 6000000                      # 60000.00 at price scale 2, near tt-venue's seed book
    u = 5000
    # frame index -> (bid share in 1/100000 of the top size, spread in ticks); the rest is
    # balanced noise. Near misses: just under the threshold, too wide, inside the cooldown.
    special = {
        100: (80000, 2),   # buy
        112: (20000, 1),   # sell
        113: (90000, 1),   # cooldown: only 1 update since the last order -> nothing
        125: (64999, 2),   # 64 %: nothing
        126: (35001, 2),   # 35.001 % rounds down to 35: sell (imb <= 100 - PCT)
        140: (90000, 6),   # spread 6 ticks > 5: nothing
        141: (65000, 5),   # exactly 65 %, spread 5: buy
        155: (99000, 3),   # buy
        170: (1000, 4),    # sell
        185: (70000, 1),   # buy
        200: (30000, 2),   # sell
        215: (66000, 2),   # buy
        230: (10000, 1),   # sell
    }
    with open(path, "w") as f:
        f.write("# e2e_engine_orders feed (tests/engine/taker_ref.py)\n")
        for i in range(320):
            t_us = 2000000 + i * 20000
            u += rnd.randint(1, 3)
            mid += rnd.choice((-1, 0, 0, 1))
            share, spread = special.get(i, (rnd.randint(40000, 60000), rnd.randint(1, 3)))
            tot = rnd.randint(1000, 3000) * 100        # 1.00000 .. 3.00000 BTC at the top
            bq = tot * share // 100000
            aq = tot - bq
            bid = mid - spread // 2
            ask = bid + spread
            d = {"u": u, "s": "BTCUSDT", "b": px(bid), "B": qty(bq), "a": px(ask), "A": qty(aq)}
            f.write(f"{t_us} " + json.dumps({"stream": STREAM, "data": d},
                                             separators=(",", ":")) + "\n")


def expected(path):
    out, since = [], COOLDOWN      # may trade at once
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        fr = json.loads(line.split(" ", 1)[1])
        if fr["stream"] != STREAM:
            continue
        d = fr["data"]
        bid, ask = fx(d["b"], PX_SCALE), fx(d["a"], PX_SCALE)
        bq, aq = fx(d["B"], QTY_SCALE), fx(d["A"], QTY_SCALE)
        since += 1
        if not (bid > 0 and ask > bid) or since <= COOLDOWN or ask - bid > MAX_SPREAD * TICK:
            continue
        if bq + aq <= 0:
            continue
        imb = bq * 100 // (bq + aq)
        if imb >= PCT:
            side, p = "BUY", ask
        elif imb <= 100 - PCT:
            side, p = "SELL", bid
        else:
            continue
        out.append(("BTCUSDT", side, "LIMIT", "IOC", Decimal(px(p)), Decimal(qty(QTY)),
                    d["u"] & 0xFFFFFFFF))
        since = 0
    return out


def received(path):
    out = []
    for line in open(path, errors="replace"):
        if '"event":"api_order"' not in line:
            continue
        e = json.loads(line)
        out.append((e["symbol"], e["side"], e["type"], e["tif"], Decimal(e["price"]),
                    Decimal(e["qty"]), e["cause"]))
    return out


def check(feed_path, venue_err):
    want, got = expected(feed_path), received(venue_err)
    fmt = lambda o: f"{o[0]} {o[1]} {o[2]} {o[3]} px {o[4]} qty {o[5]} cause {o[6]}"
    print(f"expected {len(want)} orders (reference taker on the feed), venue read {len(got)}")
    for i in range(max(len(want), len(got))):
        w = fmt(want[i]) if i < len(want) else "-"
        g = fmt(got[i]) if i < len(got) else "-"
        print(f"  {'ok ' if w == g else 'BAD'} {i + 1:2d}: expected {w:58s} venue {g}")
    if len(want) < 8:
        print("FAIL: the feed gives too few orders to mean anything")
        return 1
    return 0 if want == got else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "feed":
        feed(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
