# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the scripts in this folder: where the cache lives, how we talk to
# apt without touching the system's sources, and how a step reports itself.
# Sourced, never run.

VPAIR_CACHE=${VPAIR_CACHE:-/root/.cache/vpair}
VPAIR_MIRROR=${VPAIR_MIRROR:-http://deb.debian.org/debian}
VPAIR_SECURITY_MIRROR=${VPAIR_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
VPAIR_LOGS=${VPAIR_LOGS:-$VPAIR_CACHE/logs}

# Every message goes to stderr: some scripts print a path on stdout that a
# Makefile captures with $(shell ...).
say()
{
	echo "vpair: $*" >&2
}

die()
{
	echo "vpair: error: $*" >&2
	exit 1
}

need_root()
{
	[ "$(id -u)" = 0 ] || die "$1 needs root (run as root or with sudo)"
}

# run_logged NAME CMD...: run CMD with its output appended to
# $VPAIR_LOGS/NAME.log so the terminal keeps one line per action; on failure
# show the end of the log.
run_logged()
{
	local name=$1 log
	shift
	mkdir -p "$VPAIR_LOGS"
	log=$VPAIR_LOGS/$name.log
	echo "=== $(date '+%F %T') $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		say "'$*' failed; last lines of $log:"
		tail -n 20 "$log" >&2
		return 1
	fi
}

host_codename()
{
	. /etc/os-release
	echo "${VERSION_CODENAME:-unknown}"
}

# Install by the system's apt (bookworm on our machines). Only what is
# missing reaches apt, so a machine that has everything pays one dpkg-query.
pkg_missing()
{
	local installed p

	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" \
		2>/dev/null | awk '$1 == "ii" { print $2 }')
	for p in "$@"; do
		grep -qx -- "$p" <<<"$installed" || echo "$p"
	done
}

# True when the system's apt has package lists at all: a fresh container
# image often has none, and then 'apt-get install' knows no package.
apt_has_lists()
{
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# Without recommends: qemu alone would pull a GUI stack. What we need is
# named in deps.sh.
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends
	-o Dpkg::Use-Pty=0 -o APT::Color=0)

apt_install()
{
	need_root "installing packages ($*)"
	if ! apt_has_lists; then
		say "apt-get update (system lists are empty)"
		run_logged apt-update "${APT[@]}" update ||
			return 1
	fi
	say "apt-get install $*"
	if ! run_logged apt-install "${APT[@]}" install "$@"; then
		# Lists older than the archive name packages that are gone
		# (bookworm-security keeps only the newest kernel ABI).
		say "apt-get update, then retrying the install"
		run_logged apt-update "${APT[@]}" update &&
		run_logged apt-install "${APT[@]}" install "$@"
	fi
}

# The private apt configuration: one per suite, so the answer to "newest
# kernel of trixie" does not depend on what else is configured, and the
# system's own sources are never edited.
suite_sources()
{
	local k="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"

	case $1 in
	bookworm|trixie)
		echo "deb $k $VPAIR_MIRROR $1 main"
		echo "deb $k $VPAIR_MIRROR $1-updates main"
		echo "deb $k $VPAIR_SECURITY_MIRROR $1-security main"
		;;
	bookworm-backports|trixie-backports|sid|unstable|experimental)
		echo "deb $k $VPAIR_MIRROR $1 main"
		;;
	*)
		die "unknown suite '$1' (bookworm, trixie, sid, experimental, bookworm-backports)"
		;;
	esac
}

suite_dir()
{
	echo "$VPAIR_CACHE/apt/$1"
}

# suite_apt SUITE apt-get|apt-cache ARGS...
suite_apt()
{
	local suite=$1 d
	shift
	d=$(suite_dir "$suite")
	"$@" -o Dir::Etc::sourcelist="$d/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status=/dev/null \
		-o Dir::Cache="$d/cache" \
		-o Dir::Cache::archives="$d/archives" \
		-o Acquire::Check-Valid-Until=false \
		-o Acquire::Languages=none \
		-o APT::Sandbox::User=root \
		-q
}

# Refresh a suite's private lists when they are older than an hour (or
# missing): "the newest kernel" is asked of the archive, yet a warm run does
# not wait for the network. VPAIR_OFFLINE=1 skips the refresh when lists exist.
suite_update()
{
	local suite=$1 d stamp
	d=$(suite_dir "$suite")
	stamp=$d/lists/.updated
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/cache"
	suite_sources "$suite" >"$d/sources.list.new"
	if ! cmp -s "$d/sources.list.new" "$d/sources.list"; then
		mv "$d/sources.list.new" "$d/sources.list"
		rm -f "$stamp"
	else
		rm -f "$d/sources.list.new"
	fi
	if [ -f "$stamp" ]; then
		[ "${VPAIR_OFFLINE:-0}" = 1 ] && return 0
		[ -n "$(find "$stamp" -mmin -60)" ] && return 0
	fi
	say "apt-get update ($suite, private lists in $d)"
	run_logged "apt-update-$suite" suite_apt "$suite" apt-get update &&
		touch "$stamp"
}

# suite_download SUITE DIR PKG...: .debs into DIR (skipped when present).
suite_download()
{
	local suite=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && run_logged "apt-download-$suite" \
		suite_apt "$suite" apt-get download "$@")
}

# Matrix entries beside the suites: SUITE-SERIES (bookworm-6.12: the
# series bookworm-security ships beside its own) and SUITE-rt (the
# PREEMPT_RT flavour), each in a root of its own made from SUITE.
# entry_suite ENTRY: the Debian suite it comes from.
entry_suite()
{
	case $1 in
	*-backports) echo "$1" ;;
	*-rt|*-[0-9]*.[0-9]*) echo "${1%%-*}" ;;
	*) echo "$1" ;;
	esac
}

# entry_flavour ENTRY: the kernel flavour (amd64, rt-amd64).
entry_flavour()
{
	case $1 in
	*-rt) echo "rt-${VPAIR_FLAVOUR:-amd64}" ;;
	*) echo "${VPAIR_FLAVOUR:-amd64}" ;;
	esac
}

# entry_meta ENTRY: the meta package whose Depends names its newest image.
entry_meta()
{
	local series=

	case $1 in
	*-[0-9]*.[0-9]*) series=${1#*-}- ;;
	esac
	echo "linux-image-$series$(entry_flavour "$1")"
}
