#!/usr/bin/env bash
# issue.sh DIR NAME...: a CA and a certificate per NAME (CN and DNS name NAME) in
# DIR, once: a CA already there is kept, so restarting the stack leaves callers'
# certificates valid. Valid CERTIFICATE_DAYS days (365 unless set). As root,
# the keys go to the services' user (uid 10001), the CA's key stays root's.
set -euo pipefail
dir=$1
shift
if [ -f "$dir/ca.pem" ]; then
  echo "keeping the certificates in $dir"
  exit 0
fi
source "$(dirname "$0")/../../scripts/lib/local-stack.sh"
STACK_CERTIFICATE_DAYS=${CERTIFICATE_DAYS:-365} stack_issue_certificates "$dir" "$@"
chmod 400 "$dir"/*.key
if [ "$(id -u)" -eq 0 ]; then
  for name in "$@"; do chown 10001 "$dir/$name.key"; done
fi
echo "issued certificates in $dir for: $*"
