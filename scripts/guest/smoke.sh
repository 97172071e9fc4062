#!/bin/bash
# Smallest guest job: espah is loaded and its genl family registered.
grep -q '^espah ' /proc/modules || { echo "espah not loaded"; exit 1; }
grep -q espah /proc/net/netlink 2>/dev/null
uname -r
echo "smoke ok"
