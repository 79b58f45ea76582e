#!/usr/bin/env bash
# Make sure the TeX toolchain that nbconvert's LaTeX export needs is present.
# On Debian/Ubuntu as root, install what is missing; anywhere else, stop with
# the exact packages to install.
set -euo pipefail
PACKAGES="texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc"
STYLES="adjustbox.sty tcolorbox.sty upquote.sty eurosym.sty ulem.sty soul.sty titling.sty enumitem.sty mathrsfs.sty unicode-math.sty fontspec.sty"

missing() {
  command -v xelatex >/dev/null 2>&1 || { echo xelatex; return; }
  command -v pandoc >/dev/null 2>&1 || { echo pandoc; return; }
  command -v kpsewhich >/dev/null 2>&1 || { echo kpsewhich; return; }
  for sty in $STYLES; do
    kpsewhich "$sty" >/dev/null 2>&1 || { echo "$sty"; return; }
  done
}

gap=$(missing)
if [ -z "$gap" ]; then
  echo "==> TeX toolchain present (xelatex, pandoc, LaTeX packages)"
  exit 0
fi
echo "==> TeX toolchain incomplete (missing: $gap)"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing with apt-get: $PACKAGES"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  gap=$(missing)
  if [ -n "$gap" ]; then
    echo "error: still missing after install: $gap" >&2
    exit 1
  fi
  echo "==> TeX toolchain installed"
else
  echo "error: the PDF report needs a TeX toolchain. Install it, e.g. on Debian/Ubuntu:" >&2
  echo "  sudo apt-get install --no-install-recommends $PACKAGES" >&2
  echo "(elsewhere: a TeX distribution with xelatex and the packages $STYLES, plus pandoc)" >&2
  exit 1
fi
