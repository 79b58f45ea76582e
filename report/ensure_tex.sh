#!/usr/bin/env bash
# Make sure the TeX toolchain that nbconvert's LaTeX export needs is present.
# On Debian/Ubuntu as root, install what is missing; anywhere else, stop with
# the exact packages to install.
set -euo pipefail
PACKAGES="texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-plain-generic fonts-dejavu-core pandoc poppler-utils"
# the LaTeX packages report/template/neural_models.tex.j2 loads
STYLES="fontspec.sty unicode-math.sty geometry.sty adjustbox.sty etoolbox.sty booktabs.sty longtable.sty tabularx.sty xltabular.sty caption.sty float.sty needspace.sty placeins.sty fvextra.sty tcolorbox.sty enumitem.sty ulem.sty titlesec.sty microtype.sty hyperref.sty"

missing() {
  command -v xelatex >/dev/null 2>&1 || { echo xelatex; return; }
  command -v pandoc >/dev/null 2>&1 || { echo pandoc; return; }
  command -v kpsewhich >/dev/null 2>&1 || { echo kpsewhich; return; }
  command -v xdvipdfmx >/dev/null 2>&1 || { echo xdvipdfmx; return; }
  command -v pdftoppm >/dev/null 2>&1 || { echo "pdftoppm (poppler-utils)"; return; }
  [ -n "$(fc-list 'DejaVu Sans Mono' 2>/dev/null)" ] || { echo "DejaVu Sans Mono (fonts-dejavu-core)"; return; }
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
