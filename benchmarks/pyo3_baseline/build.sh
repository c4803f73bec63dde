#!/usr/bin/env bash
# Builds PyO3's word-count example (the benchmarks' baseline) with --release,
# offline, from the Rust crates Debian packages; installs the module into the
# Python given as $1 (default: python3). Needs root for apt-get, and cargo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${1:-python3}"
if ! [ -d /usr/share/cargo/registry/pyo3-0.17.3 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librust-pyo3-dev librust-rayon-dev >/dev/null
fi
target="${CARGO_TARGET_DIR:-$here/target}"
mkdir -p "$target/cargo-home"
cat > "$target/cargo-home/config.toml" <<TOML
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
TOML
PYO3_PYTHON="$(command -v "$python")" CARGO_HOME="$target/cargo-home" \
    cargo build --release --quiet --manifest-path "$here/Cargo.toml" --target-dir "$target"
site="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
suffix="$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
cp "$target/release/libword_count_pyo3.so" "$site/word_count_pyo3$suffix"
echo "installed word_count_pyo3 into $site"
