#!/usr/bin/env bash
# Debian packages the product needs beyond PyPI: WeasyPrint's libraries, a CJK font
# for the PDFs, gettext for translations, poppler for checking PDFs, Chromium for the
# browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser),
# Node for the front-end packages at set-up. Installs what is missing as root;
# otherwise names it.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
          gettext poppler-utils chromium)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node may come from Debian or another packaging of it: the commands are what count.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# Debian splits venv out of its Python; the Python the Makefile uses must make a venv.
"${PYTHON:-python3}" -c "import ensurepip, venv" 2>/dev/null \
  || missing+=("python3-venv")
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
