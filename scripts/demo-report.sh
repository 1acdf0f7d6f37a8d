#!/usr/bin/env bash
printf "account\n" | timeout 5 nc -N -U "$1/ctl" > "$1/account.json"; head -c 1500 "$1/account.json"; echo; grep -A8 "tt-oe stage latency" "$1/engine.err"
