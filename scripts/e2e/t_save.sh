#!/bin/bash
# The operator's tools on a running tunnel: `espah save` round-trips the
# SAD and SPD, `espah -batch --atomic` is all or nothing, `espah stats -o
# prometheus` is valid exposition text with the per-SA drop reasons and
# the reorder histogram.
# shellcheck source=scripts/e2e/lib.sh
cd "$(dirname "$0")" && . ./lib.sh
PROMCHECK=$ESPAH_ROOT/tools/espah/promcheck.py
T=/tmp/t_save.$$
mkdir -p $T

# tables NS: SAs and policies as JSON, without what changes by itself
# (counters, lifetime use, policy index numbers)
tables() {
	{
		E "$1" -j state list | jq -S 'map(del(.stats, .reorder, ."add-time", ."use-time"))'
		E "$1" -j policy list | jq -S 'map(del(.index))'
	}
}

l=10.0.12.1 r=10.0.12.2
topo_up || { not_ok "topology"; finish; exit; }
ipsec_flush
gw_side espah gw1 $l $r 10.0.1.0/24 10.0.2.0/24 tunnel gcm 0x3001 0x4001 3 4 &&
	gw_side native gw2 $r $l 10.0.2.0/24 10.0.1.0/24 tunnel gcm 0x4001 0x3001 4 3
check "tunnel configured, h1->h2 ping" pings h1 10.0.2.1 3

# --- save: reproduce the tables ---
tables gw1 > $T/before
E gw1 save > $T/saved
counts="$(grep -c '^state add .*@KEY@' $T/saved) $(grep -c '^policy add ' $T/saved) $(grep -c '^policy flush$' $T/saved)"
check "save: 2 SAs with key placeholders, 3 policies after a flush (got: $counts)" [ "$counts" = "2 3 1" ]
E gw1 -batch $T/saved 2> $T/err
check "save: the file does not apply with its placeholders" \
	grep -q 'placeholder' $T/err
k3=0x$(key 20 3) k4=0x$(key 20 4)
sed -e "/spi 0x00003001 /s/@KEY@/$k3/" -e "/spi 0x00004001 /s/@KEY@/$k4/" $T/saved > $T/keyed
printf 'state flush\npolicy flush\n' | E gw1 -batch -
check "save: flushed" [ "$(E gw1 -j state list)" = "[]" ]
E gw1 -batch $T/keyed
tables gw1 > $T/after
check "save, flush, apply: the same SAs and policies" cmp -s $T/before $T/after
diff $T/before $T/after | head -20 | sed 's/^/# /'
check "restored tunnel carries traffic" pings h1 10.0.2.1 3
oseq=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
check "restored outbound SA continues its sequence numbers (oseq $oseq)" ge "${oseq:-0}" 6

# --- save keys: only with the module parameter key_export ---
KX=/sys/module/espah/parameters/key_export
check "key_export is off by default" [ "$(cat $KX)" = N ]
E gw1 save keys > $T/k0 2> $T/err
rc=$?
check "save keys refused while key_export is off (exit $rc: $(tail -1 $T/err))" \
	eval '[ $rc -ne 0 ] && grep -q "ESPAH_A_SA_KEYS.*key_export" $T/err'
echo 1 > $KX
E gw1 save keys > $T/k1 2> $T/err
check "save keys: SAs added while it was off have no keys to give ($(grep '^# 2 SAs' $T/k1))" \
	eval 'grep -q "^# 2 SAs kept no keys" $T/k1 && [ "$(grep -c "^state add .*@KEY@" $T/k1)" = 2 ]'
# added again while it is on, they keep their keys. $T/keyed's
# replay-oseq is behind what the SA has sent since: the re-added SA must
# continue after the deleted one's last number, not repeat numbers under
# its key (the peer would drop them as replays; with GCM, a nonce twice)
o1=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
printf 'state flush\n' | E gw1 -batch -
E gw1 -batch $T/keyed
o2=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
check "stale replay-oseq in a re-add: continues after the deleted SA's $o1 (got $o2, file $(grep -o 'replay-oseq [0-9]*' $T/keyed | head -1))" \
	eval '[ -n "$o1" ] && [ "$o2" = "$o1" ] && [ "$o1" -gt 3 ]'
# under other keys the same SPI starts where it is told (a rekey that
# reuses the SPI keeps its sequence space); the first keys' number is
# still remembered
E gw1 state delete src $l dst $r proto esp spi 0x3001
grep 'spi 0x00003001 ' $T/keyed | sed "s/$k3/$k4/" | E gw1 -batch -
o3=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
E gw1 state delete src $l dst $r proto esp spi 0x3001
grep 'spi 0x00003001 ' $T/keyed | E gw1 -batch -
o4=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
check "same SPI, other keys: starts at the file's number (got $o3); the first keys again: $o1 (got $o4)" \
	eval '[ "$o3" = "$(grep -o "spi 0x00003001 .*replay-oseq [0-9]*" $T/keyed | grep -o "[0-9]*$")" ] &&
		[ "$o4" = "$o1" ]'
E gw1 save keys > $T/k2
check "save keys: both SAs with their keys, no placeholder" \
	eval '! grep -q @KEY@ $T/k2 && grep -q "spi 0x00003001 .* aead .* $k3 " $T/k2 &&
		grep -q "spi 0x00004001 .* aead .* $k4 " $T/k2'
check "save without keys still writes placeholders" \
	eval '[ "$(E gw1 save state | grep -c "^state add .*@KEY@")" = 2 ]'
nsx gw1 setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
	"$ESPAH_TOOL" save keys > /dev/null 2> $T/err
check "unprivileged save keys refused ($(tail -1 $T/err))" grep -qi "not permitted\|CAP_NET_ADMIN" $T/err
tables gw1 > $T/before
printf 'state flush\npolicy flush\n' | E gw1 -batch -
E gw1 -batch $T/k2
tables gw1 > $T/after
check "save keys, flush, apply the file as it is: the same SAs and policies" cmp -s $T/before $T/after
check "tunnel restored from save keys carries traffic" pings h1 10.0.2.1 3
echo 0 > $KX
E gw1 save keys > /dev/null 2>&1
check "save keys refused again once key_export is off" [ $? -ne 0 ]

# --- atomic: all or nothing ---
tables gw1 > $T/before
# a kernel refusal the rehearsal sees (no such algorithm): nothing applied
cat > $T/bad1 <<-B
	policy flush
	state add src $l dst $r proto esp spi 0x5001 mode tunnel reqid 9 dir out aead "rfc4106(gcm(aes))" $k3 128
	state add src $l dst $r proto esp spi 0x5002 mode tunnel reqid 9 dir out aead "rfc4106(gcm(nosuchcipher))" $k3 128
B
E gw1 -batch --atomic $T/bad1 2> $T/err1
rc1=$?
tables gw1 > $T/after1
check "atomic: refused in the rehearsal (exit $rc1), nothing changed" \
	eval '[ $rc1 = 1 ] && cmp -s $T/before $T/after1'
check "atomic: the message names the rehearsal ($(tail -1 $T/err1))" grep -q rehearsal $T/err1
# a refusal only the real tables give (the SA exists): rolled back
cat > $T/bad2 <<-B
	policy flush
	policy add src 10.9.0.0/16 dst 10.8.0.0/16 dir out tmpl src $l dst $r proto esp mode tunnel reqid 9
	state add src $l dst $r proto esp spi 0x5001 mode tunnel reqid 9 dir out aead "rfc4106(gcm(aes))" $k3 128
	state add src $l dst $r proto esp spi 0x3001 mode tunnel reqid 1 dir out aead "rfc4106(gcm(aes))" $k3 128
B
E gw1 -batch --atomic $T/bad2 2> $T/err2
rc2=$?
tables gw1 > $T/after2
check "atomic: failed on the real tables (exit $rc2), rolled back to the same tables" \
	eval '[ $rc2 = 1 ] && cmp -s $T/before $T/after2'
check "atomic: the message says rolled back ($(tail -1 $T/err2))" grep -q 'rolled back' $T/err2
check "tunnel still carries traffic after the rollback" pings h1 10.0.2.1 3
# a batch that flushes the tunnel's SAs, then fails on the real tables
# (a policy that exists there, not in the rehearsal's empty namespace):
# without kept keys the SAs cannot come back (named); with key_export set
# when they were added, the rollback adds them back, the outbound one
# after its last sequence number
cat > $T/bad3 <<-B
	state flush
	state add src $l dst $r proto esp spi 0x5001 mode tunnel reqid 9 dir out aead "rfc4106(gcm(aes))" $k3 128
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out tmpl src $l dst $r proto esp mode tunnel reqid 1
B
E gw1 -batch --atomic $T/bad3 2> $T/err3
check "atomic: deleted SAs whose keys were not kept are named ($(grep -o 'rollback: .*' $T/err3))" \
	eval 'grep -q "rollback: 2 SAs the batch deleted cannot be restored.*key_export" $T/err3 &&
		grep -q "failed; rolled back" $T/err3'
check "atomic without key_export: the flushed SAs stay gone, as said" \
	eval '[ "$(E gw1 -j state list)" = "[]" ]'
echo 1 > $KX
printf 'state flush\n' | E gw1 -batch -
E gw1 -batch $T/keyed
pings h1 10.0.2.1 3
tables gw1 > $T/before
o1=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
E gw1 -batch --atomic $T/bad3 2> $T/err3
rc3=$?
tables gw1 > $T/after3
o2=$(E gw1 -j state list | jq '.[] | select(.spi == 12289) | .oseq')
check "atomic with key_export: the flushed SAs are added back (exit $rc3, $(tail -1 $T/err3))" \
	eval '[ $rc3 = 1 ] && grep -q "failed; rolled back" $T/err3 &&
		cmp -s $T/before $T/after3 && ! grep -q "cannot be restored" $T/err3'
diff $T/before $T/after3 | head -10 | sed 's/^/# /'
check "the outbound SA added back continues at $o1 (got $o2)" \
	eval '[ -n "$o1" ] && [ "$o2" = "$o1" ]'
check "tunnel carries traffic after the SAs came back" pings h1 10.0.2.1 3
echo 0 > $KX
tables gw1 > $T/before
# a good batch applies, and applying it again (reload) changes nothing
cat > $T/good <<-B
	policy flush
	policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out tmpl src $l dst $r proto esp mode tunnel reqid 1
	policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir in tmpl src $r dst $l proto esp mode tunnel reqid 1
	policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir fwd tmpl src $r dst $l proto esp mode tunnel reqid 1
	state update src $l dst $r proto esp spi 0x6001 mode tunnel reqid 7 dir out aead "rfc4106(gcm(aes))" $k3 128
B
E gw1 -batch --atomic $T/good && E gw1 -batch --atomic $T/good
rc3=$?
nsa=$(E gw1 -j state list | jq length)
check "atomic: a good batch applies, twice (exit $rc3, $nsa SAs)" [ "$rc3 $nsa" = "0 3" ]
check "traffic after the reload" pings h1 10.0.2.1 3

# --- prometheus ---
E gw1 stats -o prometheus > $T/prom
"$PROMCHECK" $T/prom espah_in_packets_total espah_out_packets_total espah_sa_packets_total \
	espah_sa_drops_total espah_sa_reorder_packets_total > $T/promcheck
check "stats -o prometheus: valid ($(tail -1 $T/promcheck))" [ $? = 0 ]
sed 's/^/# /' $T/promcheck | head
n=$(grep -c '^espah_sa_drops_total{.*spi="0x00004001".*reason="' $T/prom)
check "per-SA drop reasons of the inbound SA: $n (one per reason)" [ "$n" -ge 10 ]
pk=$(sed -n 's/^espah_sa_packets_total{.*spi="0x00004001".*} //p' $T/prom)
check "inbound SA's packets in prometheus ($pk) = espah -s state list's" \
	[ "$pk" = "$(sastat gw1 0x4001 packets)" ]
check "reorder histogram buckets of the inbound SA" \
	[ "$(grep -c '^espah_sa_reorder_packets_total{.*spi="0x00004001"' $T/prom)" = 8 ]
check "netns label names the namespace" grep -q '^espah_in_packets_total{netns="gw1"}' $T/prom
rm -rf $T
finish
