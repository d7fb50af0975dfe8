#!/usr/bin/env bash
# insert-generated.sh <document> <section.md>...: replaces the text between
#   <!-- generated:NAME --> and <!-- /generated:NAME -->
# in <document> with the content of NAME.md, so prose around the tables survives a re-run.
set -euo pipefail
document="$1"; shift
for section in "$@"; do
  name="$(basename "$section" .md)"
  grep -q "<!-- generated:$name -->" "$document" || { echo "warning: $document has no <!-- generated:$name --> marker; $section not inserted" >&2; continue; }
  awk -v name="$name" -v file="$section" '
    $0 == "<!-- generated:" name " -->" { print; while ((getline line < file) > 0) print line; skipping = 1; next }
    $0 == "<!-- /generated:" name " -->" { skipping = 0 }
    !skipping { print }
  ' "$document" > "$document.tmp"
  mv "$document.tmp" "$document"
done
