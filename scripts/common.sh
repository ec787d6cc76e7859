# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the scripts in this folder: where the cache lives, how we talk to
# apt without touching the system's sources, and how a step reports itself.
# Sourced, never run.

VPAIR_CACHE=${VPAIR_CACHE:-/root/.cache/vpair}
# The Debian archive and its security archive: VPAIR_MIRROR and
# VPAIR_SECURITY_MIRROR when set, else what this machine's apt is configured
# with (apt_archive below), so a host behind a mirror or a proxy needs no edit.
VPAIR_MIRROR=${VPAIR_MIRROR:-}
VPAIR_SECURITY_MIRROR=${VPAIR_SECURITY_MIRROR:-}
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

# apt_sources: "URI SUITE" for each deb (not deb-src) source this machine's
# apt reads, in apt's order: the one-line sources.list first, then
# sources.list.d's *.list (one-line) and *.sources (deb822) files. Stanzas
# with "Enabled: no" and cdrom: sources are left out.
apt_sources()
{
	local list=/etc/apt/sources.list parts=/etc/apt/sources.list.d/ SL SP f

	if command -v apt-config >/dev/null; then
		eval "$(apt-config shell SL Dir::Etc::sourcelist/f \
			SP Dir::Etc::sourceparts/d)"
		list=${SL:-$list}
		parts=${SP:-$parts}
	fi
	for f in "$list" "${parts%/}"/*.list "${parts%/}"/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources)
			awk '
			function flush(  i, n, t, u, s, nt, nu, ns, deb) {
				if (f["enabled"] ~ /^[ \t]*(no|false)[ \t]*$/)
					deb = 0
				else {
					nt = split(f["types"], t, /[ \t\n]+/)
					for (i = 1; i <= nt; i++)
						if (t[i] == "deb")
							deb = 1
				}
				nu = split(f["uris"], u, /[ \t\n]+/)
				ns = split(f["suites"], s, /[ \t\n]+/)
				for (i = 1; deb && i <= nu; i++)
					for (n = 1; n <= ns; n++)
						if (u[i] != "" && s[n] != "" &&
						    u[i] !~ /^cdrom:/)
							print u[i], s[n]
				delete f
				key = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ {
				if (key != "")
					f[key] = f[key] " " $0
				next
			}
			{
				i = index($0, ":")
				if (i == 0)
					next
				key = tolower(substr($0, 1, i - 1))
				f[key] = substr($0, i + 1)
			}
			END { flush() }' "$f"
			;;
		*)
			# deb [options] URI SUITE COMPONENT...
			sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
				awk '$1 == "deb" && $2 !~ /^cdrom:/ && NF >= 3 {
					print $2, $3 }'
			;;
		esac
	done
}

# apt_archive main|security: the first URI apt has for a Debian suite
# (bookworm, sid, stable-updates...) outside -security, or for a -security
# suite. Other archives a host may list (a vendor's, a PPA-like repo) are
# told apart by their suite names, which are not Debian's.
apt_archive()
{
	apt_sources | awk -v kind="$1" '
	{
		s = $2
		sec = sub(/-security$/, "", s)
		sub(/-(updates|backports|backports-sloppy|proposed-updates)$/, "", s)
		if (s !~ /^(bullseye|bookworm|trixie|forky|duke|sid|experimental|oldoldstable|oldstable|stable|testing|unstable|rc-buggy)$/)
			next
		if ((kind == "security") == (sec == 1)) {
			uri = $1
			sub(/\/+$/, "", uri)
			print uri
			exit
		}
	}'
}

# need_archives [security]: VPAIR_MIRROR (and VPAIR_SECURITY_MIRROR) set,
# from apt's configuration unless the caller set them. In this shell, not a
# subshell, so the sources are read once per run.
need_archives()
{
	[ -n "$VPAIR_MIRROR" ] || VPAIR_MIRROR=$(apt_archive main)
	[ -n "$VPAIR_MIRROR" ] ||
		die "no Debian archive in this machine's apt sources; set VPAIR_MIRROR=<URI of a Debian mirror>"
	[ "${1:-}" = security ] || return 0
	[ -n "$VPAIR_SECURITY_MIRROR" ] ||
		VPAIR_SECURITY_MIRROR=$(apt_archive security)
	[ -n "$VPAIR_SECURITY_MIRROR" ] ||
		die "no Debian security archive (a -security suite) in this machine's apt sources; set VPAIR_SECURITY_MIRROR=<URI>"
}

# The private apt configuration: one per suite, so the answer to "newest
# kernel of trixie" does not depend on what else is configured, and the
# system's own sources are never edited.
suite_sources()
{
	local k="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"

	case $1 in
	bookworm|trixie)
		need_archives security
		echo "deb $k $VPAIR_MIRROR $1 main"
		echo "deb $k $VPAIR_MIRROR $1-updates main"
		echo "deb $k $VPAIR_SECURITY_MIRROR $1-security main"
		;;
	bookworm-backports|trixie-backports|sid|unstable|experimental)
		need_archives
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
