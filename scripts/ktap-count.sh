#!/bin/bash
# Count a KTAP/TAP stream's top-level results.
#   ktap-count.sh FILE [EXIT_STATUS]
# Prints "PASS FAIL SKIP". A declared plan (1..N) with fewer results than N
# counts the missing ones as failed; a non-zero exit status with no failure
# reported counts one failure; an empty stream counts one failure.
f=$1 st=${2:-0}
awk -v st="$st" '
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	/^ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else p++; next }
	/^not ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else f++; next }
	END {
		n = p + f + s
		if (plan > n) f += plan - n
		if (n == 0 && plan == 0) f++
		if (st != 0 && f == 0) f++
		print p + 0, f + 0, s + 0
	}' "$f"
