#!/bin/sh
# Installs bubblewrap, the grader's sandbox for student code, when it is missing and this is a
# Debian or Ubuntu machine where we are root (CI, an instructor's grading box). Elsewhere it does
# nothing: students never need it, and `make grade` says in one line why it refuses without it.
[ -x /usr/bin/bwrap ] && exit 0
[ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || exit 0
echo "Installing bubblewrap (the grader's sandbox)…"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
