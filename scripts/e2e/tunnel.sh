# shellcheck shell=bash
# Tunnel-mode case shared by the t_tunnel_*.sh suites (sourced after lib.sh).

# shellcheck disable=SC2034 # used through namerefs in tcase
v4_o=(10.0.12.1 10.0.12.2)
# shellcheck disable=SC2034
v6_o=(fd00:12::1 fd00:12::2)
# shellcheck disable=SC2034
v4_n=(10.0.1.0/24 10.0.2.0/24 10.0.1.1 10.0.2.1)
# shellcheck disable=SC2034
v6_n=(fd00:1::/64 fd00:2::/64 fd00:1::1 fd00:2::1)

# tcase IMPL_GW1 IMPL_GW2 OUTER INNER ALG MB
tcase() {
	local i1=$1 i2=$2 of=$3 inf=$4 a=$5 mb=$6
	local -n o=${of}_o n=${inf}_n
	local name="tunnel $inf-in-$of $a gw1=$i1 gw2=$i2"
	local esp_ns spi_o spi_i before

	ipsec_flush
	if ! gw_side "$i1" gw1 "${o[0]}" "${o[1]}" "${n[0]}" "${n[1]}" tunnel \
		"$a" 0x1001 0x2001 1 2 ||
	   ! gw_side "$i2" gw2 "${o[1]}" "${o[0]}" "${n[1]}" "${n[0]}" tunnel \
		"$a" 0x2001 0x1001 2 1; then
		not_ok "$name: configure"
		return
	fi
	check "$name: ping h1->h2" pings h1 "${n[3]}" 3
	check "$name: ping h2->h1" pings h2 "${n[2]}" 3
	if [ "$mb" -gt 0 ]; then
		check "$name: tcp ${mb}MB h1->h2 intact" tcp_xfer h1 h2 "${n[3]}" "$mb"
	fi
	if [ "$i1" = espah ]; then esp_ns=gw1 spi_o=0x1001 spi_i=0x2001
	else esp_ns=gw2 spi_o=0x2001 spi_i=0x1001; fi
	check "$name: espah out SA counted" ge "$(sastat $esp_ns $spi_o packets)" 6
	check "$name: espah in SA counted" ge "$(sastat $esp_ns $spi_i packets)" 6
	before=$(nstat_pkts "$([ $esp_ns = gw1 ] && echo gw2 || echo gw1)" "$spi_o")
	check "$name: native peer decrypted espah's packets" ge "$before" 6
}
