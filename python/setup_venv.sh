#!/usr/bin/env bash
# Creates a Python virtual environment and installs a locked requirements file into it, once.
#
#   python/setup_venv.sh                          # python/.venv from python/requirements.txt
#   python/setup_venv.sh --requirements FILE --venv DIR
#   python/setup_venv.sh --check                  # only check the interpreter; create nothing
#
# Idempotent: the venv records the sha256 of the requirements file it was installed from
# (DIR/.requirements.sha256) and the install is skipped while that still matches.
# Needs only Python 3.11 (with its venv module) and access to the package index. Prints one line;
# a missing or unfit interpreter is one line saying what to install, and a venv this script
# created is removed again if its install fails, so no half venv is left behind.
# PYTHON selects the interpreter used to create the venv (default python3.11, else python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
venv="$here/.venv"
python="${PYTHON:-$(command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)}"
# The version requirements.txt was locked with (its wheels and pins are for this Python).
required_python=3.11
check_only=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --requirements) requirements="${2:?--requirements needs a file}"; shift 2 ;;
    --venv) venv="${2:?--venv needs a directory}"; shift 2 ;;
    --check) check_only=yes; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup_venv.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$requirements" ]]; then
  echo "setup_venv.sh: requirements file not found: $requirements" >&2
  exit 2
fi
get="install Python $required_python with its venv module (for example: apt-get install python$required_python-venv, brew install python@$required_python, or pyenv install $required_python), or set PYTHON=/path/to/python$required_python"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup_venv.sh: Python $required_python is needed for the tests and '$python' was not found: $get" >&2
  exit 2
fi
found="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo unknown)"
if [[ "$found" != "$required_python" ]]; then
  echo "setup_venv.sh: Python $required_python is needed for the tests, but $(command -v "$python") is Python $found: $get" >&2
  exit 2
fi
# Debian's python3 lacks ensurepip without python3.X-venv: venv would fail after making the dir.
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "setup_venv.sh: $(command -v "$python") has no working venv module (ensurepip is missing): $get" >&2
  exit 2
fi
if [[ -n "$check_only" ]]; then
  exit 0
fi

# python3 hashes the file so this works where sha256sum is missing (macOS has only shasum).
want="$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$requirements")"
stamp="$venv/.requirements.sha256"

created=""
remove_half_venv() {
  if [[ -n "$created" ]]; then
    rm -rf "$venv"
    echo "setup_venv.sh: removed the unfinished $venv" >&2
  fi
}
if [[ ! -x "$venv/bin/python" ]]; then
  created="created $venv; "
  trap remove_half_venv EXIT
  "$python" -m venv "$venv"
fi

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup_venv.sh: ${created}$venv is up to date with $(basename "$requirements") (sha256 ${want:0:12})"
  exit 0
fi

# Drop the stamp first so an interrupted install is never taken for a complete one.
rm -f "$stamp"
# --no-deps: the file is a complete lock; see the comment at the top of requirements.txt.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$requirements"
echo "$want" > "$stamp"
trap - EXIT
echo "setup_venv.sh: ${created}installed $(basename "$requirements") into $venv (sha256 ${want:0:12})"
