#!/usr/bin/env bash
# Regenerates the SavedModel fixtures that Python TensorFlow writes into savedmodels/.
#
#   savedmodels/regenerate.sh            py-* fixtures, TensorFlow 2.16.2
#                                        (python/requirements-tf2.16.txt, venv $TF216_VENV,
#                                        default ${TMPDIR:-/tmp}/tfrnn-tf2.16-venv, outside the repo)
#   savedmodels/regenerate.sh --newest   newest-tf-* fixtures, the newest TensorFlow
#                                        (python/requirements-newest.txt, venv $NEWEST_VENV,
#                                        default ${TMPDIR:-/tmp}/tfrnn-newest-venv, outside the repo)
#   savedmodels/regenerate.sh --all      both
#
# Any other arguments go to python/write_fixtures.py, e.g. --data-dir DIR (default data/mnist),
# --steps N (default: each notebook's own schedule; see python/write_fixtures.py), --seed N. Each venv
# is created and installed only when missing or stale.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The py-* fixtures stay written by TensorFlow 2.16.2 (what TF Java 1.0.0 bundled), not by the
# project's python/.venv: they prove that models from an older Python TensorFlow keep loading.
tf216_venv="${TF216_VENV:-${TMPDIR:-/tmp}/tfrnn-tf2.16-venv}"
newest_venv="${NEWEST_VENV:-${TMPDIR:-/tmp}/tfrnn-newest-venv}"
current=1
newest=0
passthrough=()
for arg in "$@"; do
  case "$arg" in
    --newest) current=0; newest=1 ;;
    --all) current=1; newest=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) passthrough+=("$arg") ;;
  esac
done

if [[ $current == 1 ]]; then
  "$root/python/setup_venv.sh" --requirements "$root/python/requirements-tf2.16.txt" --venv "$tf216_venv"
  "$tf216_venv/bin/python" "$root/python/write_fixtures.py" --out "$root/savedmodels" \
    --prefix py ${passthrough[@]+"${passthrough[@]}"}
fi
if [[ $newest == 1 ]]; then
  "$root/python/setup_venv.sh" --requirements "$root/python/requirements-newest.txt" --venv "$newest_venv"
  "$newest_venv/bin/python" "$root/python/write_fixtures.py" --out "$root/savedmodels" \
    --prefix newest-tf --fixtures static-lstm,keras-lstm ${passthrough[@]+"${passthrough[@]}"}
fi
