#!/bin/sh
# Installs Baton the way every user gets it: a wheel built from SOURCE (never an editable
# checkout), installed into the virtualenv VENV (created when missing), pinned by SOURCE's
# constraints.txt, with the runtime extras. The image (deploy/Dockerfile) and the tests that run
# the installed package (tests/installed) both call this script, so they cannot drift apart.
#
#   deploy/install.sh SOURCE VENV        (PYTHON names the interpreter for a new virtualenv)
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: deploy/install.sh SOURCE VENV" >&2
    exit 2
fi
source_dir=$1
venv=$2
[ -f "$source_dir/pyproject.toml" ] || { echo "no pyproject.toml in $source_dir" >&2; exit 2; }

[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$wheels" "$source_dir"
set -- "$wheels"/baton-*.whl
[ "$#" -eq 1 ] && [ -f "$1" ] || { echo "expected one Baton wheel, found: $*" >&2; exit 1; }
"$venv/bin/python" -m pip install --quiet -c "$source_dir/constraints.txt" "$1[telemetry]"
