#!/usr/bin/env bash
# The Debian packages that gen:docs and bench:quality need: Chromium (prints the generated
# documents), poppler-utils (pdftotext, the peer; pdftoppm, the scan set), tesseract with eng,
# chi_sim, ara and heb (the OCR peer), and the fonts the generated documents are set in.
set -euo pipefail
packages=(chromium poppler-utils tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-ara tesseract-ocr-heb
  fonts-noto-cjk fonts-noto-core fonts-dejavu fonts-liberation)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "quality tools: all installed"; exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "quality tools: missing ${missing[*]} and no apt-get here: install them with your system's package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else echo "quality tools: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2; exit 1; fi
fi
echo "quality tools: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
