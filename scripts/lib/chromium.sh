# Shared by the scripts that render HTML reports (source it): Debian's
# Chromium and a font, installed when missing.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  echo "installing: chromium"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
}
