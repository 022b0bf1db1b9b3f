#!/usr/bin/env bash
# Creates a Python virtual environment and installs a locked requirements file into it, once.
#
#   python/setup_venv.sh                          # python/.venv from python/requirements.txt
#   python/setup_venv.sh --requirements FILE --venv DIR
#
# Idempotent: the venv records the sha256 of the requirements file it was installed from
# (DIR/.requirements.sha256) and the install is skipped while that still matches.
# Needs only python3 (with venv and pip) and access to the package index. Prints one line.
# PYTHON selects the interpreter used to create the venv (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
venv="$here/.venv"
python="${PYTHON:-python3}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --requirements) requirements="${2:?--requirements needs a file}"; shift 2 ;;
    --venv) venv="${2:?--venv needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup_venv.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$requirements" ]]; then
  echo "setup_venv.sh: requirements file not found: $requirements" >&2
  exit 2
fi
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup_venv.sh: '$python' not found; install Python 3.11 (or set PYTHON=...)" >&2
  exit 2
fi

# python3 hashes the file so this works where sha256sum is missing (macOS has only shasum).
want="$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$requirements")"
stamp="$venv/.requirements.sha256"

created=""
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
  created="created $venv; "
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
echo "setup_venv.sh: ${created}installed $(basename "$requirements") into $venv (sha256 ${want:0:12})"
