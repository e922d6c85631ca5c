# Shared by scripts/test and scripts/demo: a virtual environment in .venv and the Debian packages
# the suite needs. Sourced, not run.

find_python() {
    local candidate
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "hadir: Python 3.11 or newer is needed (Debian 12: apt-get install python3)" >&2
    return 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else return 1
    fi
}

apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# ensure_venv EXTRAS: create .venv and install the project with the given extras; reinstall only
# when pyproject.toml changed since the last install.
ensure_venv() {
    local extras="$1" python stamp
    python=$(find_python)
    if [ ! -x .venv/bin/python ]; then
        if ! "$python" -m venv .venv 2>/dev/null; then
            rm -rf .venv
            echo "hadir: installing python3-venv (Debian ships venv separately)" >&2
            apt_install python3-venv || {
                echo "hadir: could not install python3-venv; run: sudo apt-get install python3-venv" >&2
                return 1
            }
            "$python" -m venv .venv
        fi
    fi
    stamp="$(sha256sum pyproject.toml | cut -c1-16)-$extras"
    if [ "$(cat .venv/.hadir-installed 2>/dev/null)" != "$stamp" ]; then
        echo "hadir: installing dependencies into .venv (first run takes a minute)" >&2
        .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
        echo "$stamp" > .venv/.hadir-installed
    fi
}

# ensure_packages CMD=PACKAGE ...: install a Debian package when its command is missing.
ensure_packages() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd=${pair%%=*}
        pkg=${pair#*=}
        if [ ! -x "$cmd" ] && ! command -v "$cmd" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "hadir: installing Debian packages: ${missing[*]}" >&2
    apt_install "${missing[@]}" || echo "hadir: could not install ${missing[*]}; tests needing them will be skipped" >&2
}
