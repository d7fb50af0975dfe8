# Shared set-up for the README's commands: checks for the .NET SDK and installs the Debian packages a
# command needs when they are missing (as root), or says exactly what to install (otherwise).
# Sourced, not executed.

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
    exit 1
  fi
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# has_debian_binary <package>: whether what we use of the package is already on the machine
has_debian_binary() {
  case "$1" in
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null ;;
    redis-server) command -v redis-server >/dev/null 2>&1 ;;
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    *) dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}

# ensure_debian_packages <package>...: installs the missing ones
ensure_debian_packages() {
  local missing=()
  for package in "$@"; do
    has_debian_binary "$package" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "       install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi

  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' own service start-up may fail where there is no init system; the tests start their own servers.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    for package in "${missing[@]}"; do
      has_debian_binary "$package" || { echo "error: could not install $package" >&2; exit 1; }
    done
  }
}

# ensure_test_npm_packages: the servers and official SDKs the tests drive, pinned by tests/npm/package-lock.json
ensure_test_npm_packages() {
  if [ ! -d tests/npm/node_modules ] || [ tests/npm/package-lock.json -nt tests/npm/node_modules ]; then
    echo "Installing the tests' npm packages (tests/npm)"
    npm ci --prefix tests/npm --no-audit --no-fund --loglevel=error
  fi
}

# require_kubectl: Infra.Tests renders infra/k8s with `kubectl kustomize`, which needs kustomize v5 (replacements,
# labels). kubectl is part of this project's machine image (the Google Cloud SDK's kubectl package); Debian's own
# kubernetes-client (1.20) bundles kustomize v2, which cannot render these overlays, so it is no substitute.
require_kubectl() {
  if ! command -v kubectl >/dev/null 2>&1; then
    echo "error: kubectl (1.27 or later, with kustomize v5) is required to render infra/k8s; it is not on PATH." >&2
    exit 1
  fi
  local kustomize
  kustomize=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
  if [ -z "$kustomize" ] || [ "$kustomize" -lt 5 ]; then
    echo "error: kubectl's kustomize is v${kustomize:-unknown}; infra/k8s needs v5 (kubectl 1.27 or later)." >&2
    exit 1
  fi
}
