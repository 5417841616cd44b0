#!/usr/bin/env bash
# Rewrite self-repository references (`uses: $/actions/<tool>`) in workflow
# files to explicit `OWNER/REPO/actions/<tool>@<sha>` references, for GHES
# and runners older than 2.336.0 that do not know the `$/` syntax.
#
#   scripts/ghes-rewrite.sh OWNER/REPO SHA FILE...
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 OWNER/REPO SHA FILE..." >&2
  exit 2
fi
repo=$1 sha=$2
shift 2
if ! [[ "$sha" =~ ^[0-9a-f]{40}$ ]]; then
  echo "ghes-rewrite: '$sha' is not a full 40-hex commit SHA" >&2
  exit 2
fi
if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "ghes-rewrite: '$repo' is not OWNER/REPO" >&2
  exit 2
fi
for file in "$@"; do
  sed -i -E "s#uses: \\\$/(actions/[A-Za-z0-9_.-]+)#uses: $repo/\\1@$sha#g" "$file"
done
if grep -n 'uses: \$/' "$@"; then
  echo "ghes-rewrite: self-repository references remain (above)" >&2
  exit 1
fi
