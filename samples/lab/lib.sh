# lib.sh: what samples/lab/run and samples/lab/pair-run share (sourced).
#
# The caller sets PROG (its name, for messages), NAMESPACES (the namespaces
# it creates), and defines nsof SIDE -> namespace; TMP and NAME are set
# while a scenario runs.  Processes started here (peers, captures) are
# remembered by id so that lab_cleanup ends those and nothing else.

TMP=
PIDS=()
CAPS=()		# "pid:stderr-file" of each running tcpdump

die() { echo "$PROG: $*" >&2; exit 1; }

# Trap handler: show the failing scenario's peer log, end our processes,
# delete the namespaces (and with them veths and nft tables), the temp dir.
lab_cleanup() {
	local rc=$? p ns
	if [ $rc != 0 ] && [ -n "$TMP" ] && [ -f "$TMP/${NAME:-}.log" ]; then
		echo "$PROG: peer log of $NAME:" >&2
		cat "$TMP/$NAME.log" >&2
	fi
	for p in "${CAPS[@]}"; do
		kill "${p%%:*}" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
	# The trap's status is the script's: keep the one it exited with.
	return $rc
}

lab_traps() {
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE
}

ns_del_all() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# offloads_off NS DEV: segments as they would be on a wire, not 64 KB
# offload super-frames (skipped without ethtool)
offloads_off() {
	command -v ethtool >/dev/null || return 0
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
}

# mac NS DEV
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }

# ---------------------------------------------------------------- processes

# peer SIDE ACTIONS...: start the peer program in a side's namespace
peer() {
	local side=$1
	shift
	ip netns exec "$(nsof "$side")" "$TMP/peer" -n "$side" "$@" \
		2>>"$TMP/$NAME.log" &
	PIDS+=($!)
}

# Wait for the peers started so far; a scenario must not hang the lab.
peers_wait() {
	local limit=${1:-30} p start=$SECONDS
	for p in "${PIDS[@]}"; do
		while kill -0 "$p" 2>/dev/null; do
			[ $((SECONDS - start)) -ge "$limit" ] &&
				die "$NAME: peers still running after ${limit}s"
			sleep 0.1
		done
		wait "$p" || die "$NAME: a peer failed (log: $TMP/$NAME.log)"
	done
	PIDS=()
}

peers_kill() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
}

# until_file FILE: wait for a peer's "touch"
until_file() {
	local i
	for i in $(seq 300); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	die "$NAME: timed out waiting for $1"
}

# ---------------------------------------------------------------- capture

# tcpdump_start NS IFACE FILE [TCPDUMP-OPTION]...: record tcp on IFACE in
# NS into FILE, return once tcpdump listens
tcpdump_start() {
	local ns=$1 ifc=$2 out=$3 err
	shift 3
	err="$out.err"
	rm -f "$err"
	ip netns exec "$ns" tcpdump -i "$ifc" -w "$out" -U --immediate-mode \
		"$@" -n tcp 2>"$err" &
	CAPS+=("$!:$err")
	local i
	for i in $(seq 100); do
		grep -q "listening on" "$err" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "listening on" "$err" || die "$NAME: tcpdump did not start"
	sleep 0.2
}

# tcpdump_stop: stop every capture, after they had time to write the last
# packets; fail if the kernel dropped any
tcpdump_stop() {
	local c
	sleep 0.3
	for c in "${CAPS[@]}"; do
		kill -INT "${c%%:*}"
	done
	for c in "${CAPS[@]}"; do
		wait "${c%%:*}" || true
		grep -q "^0 packets dropped by kernel" "${c#*:}" ||
			die "$NAME: tcpdump dropped packets: $(cat "${c#*:}")"
	done
	CAPS=()
}

# ---------------------------------------------------------------- main

# lab_select "SCENARIOS" ARG...: fill selected[] with the table entries
# (name:function:...) named by the arguments (a name or its NN prefix),
# all of them without arguments
lab_select() {
	local table=$1 e n a
	shift
	selected=()
	for e in $table; do
		n=${e%%:*}
		if [ $# = 0 ]; then
			selected+=("$e")
			continue
		fi
		for a in "$@"; do
			if [ "$a" = "$n" ] || [ "$a" = "${n%%-*}" ]; then
				selected+=("$e")
				break
			fi
		done
	done
	[ ${#selected[@]} -gt 0 ] || die "no scenario matches: $* (see --list)"
}

# lab_start LOCKNAME: one run at a time (the namespace names are fixed),
# a temp dir, and the peer program built into it
lab_start() {
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces, nftables, tcpdump)"
	exec 9>"/run/lock/$1.lock"
	flock -n 9 || die "another $PROG is active"
	TMP=$(mktemp -d "/tmp/$1.XXXXXX")
	cc -std=c11 -Wall -Wextra -Werror -O2 -o "$TMP/peer" "$LAB/peer.c"
}
