#!/usr/bin/env bash
# Set up Stride Coach on this machine, idempotently: system packages (when missing), the .venv with the package
# and its test tools, and the pose model (built offline from the installed mediapipe). Safe to rerun: each step
# is skipped when already done. Works unattended (CI=true, no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: browser tests; ffmpeg: video tools; EGL/Mesa: MediaPipe's GL context; strace: the no-network test.
apt_packages=(chromium ffmpeg libegl1 libegl-mesa0 libgl1-mesa-dri strace)

python_bin=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null &&
     "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python_bin="$candidate"
    break
  fi
done
[[ -n "$python_bin" ]] || apt_packages+=(python3 python3-venv)

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install these packages with your package manager: ${missing[*]}" >&2
    exit 1
  fi
  as_root=()
  [[ "$(id -u)" -eq 0 ]] || as_root=(sudo)
  echo "setup: installing ${missing[*]}" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
  python_bin="${python_bin:-python3}"
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $python_bin" >&2
  "$python_bin" -m venv .venv
fi

# Reinstall only when the dependencies changed (or on the first run).
stamp=.venv/.stride-coach-setup
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "setup: installing the coach and its test tools into .venv (first run takes a few minutes)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$want" >"$stamp"
fi

.venv/bin/coach models >/dev/null
