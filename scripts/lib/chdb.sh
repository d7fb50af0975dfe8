# The embedded trace store's engine: chDB's libchdb.so (the ClickHouse engine as a library), shipped in an npm
# package. ensure_chdb_engine fetches it once into .cache/chdb/<version>/ with `npm pack` (no install scripts
# run) and does nothing when it is already there. Sourced, not executed.

CHDB_PACKAGE="@chdb/lib-linux-x64-gnu"
CHDB_VERSION="26.7.3-stable.1"

# chdb_engine_path: where the library lands, relative to the repository root
chdb_engine_path() {
  echo ".cache/chdb/$CHDB_VERSION/package/libchdb.so"
}

ensure_chdb_engine() {
  local directory=".cache/chdb/$CHDB_VERSION"
  local library
  library="$(chdb_engine_path)"
  [ -f "$library" ] && return 0

  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "error: the embedded trace store needs $CHDB_PACKAGE, which is for Linux x86-64 only;" \
         "set ClickHouse:Endpoint to use a ClickHouse server instead." >&2; exit 1 ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is required to fetch the chDB engine ($CHDB_PACKAGE@$CHDB_VERSION); install the Debian package 'npm'." >&2
    exit 1
  fi

  echo "Fetching the chDB engine ($CHDB_PACKAGE@$CHDB_VERSION, about 180 MB) into $directory"
  mkdir -p "$directory"
  local staging
  staging="$(mktemp -d "$directory/.download.XXXXXX")"
  (cd "$staging" && npm pack --silent "$CHDB_PACKAGE@$CHDB_VERSION" >/dev/null) || {
    rm -rf "$staging"; echo "error: npm pack $CHDB_PACKAGE@$CHDB_VERSION failed" >&2; exit 1
  }
  tar -xzf "$staging"/*.tgz -C "$staging" package/libchdb.so
  # Renamed into place last, so an interrupted download never leaves a half-written library behind.
  mkdir -p "$directory/package"
  mv "$staging/package/libchdb.so" "$library"
  rm -rf "$staging"
}
