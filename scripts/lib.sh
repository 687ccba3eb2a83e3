# Shared helpers for Keyward's scripts (sourced, not run).

# keyward_pick_jdk: export JAVA_HOME to a JDK >= 21: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
keyward_java_major() {
  # the JDK's release file names its version; reading it costs nothing, starting a JVM to ask costs ~50 ms
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*/\1/p' "$1/release" | head -1)
  case "$v" in
    1.*) echo "${v#1.}" ;;
    ?*) echo "$v" ;;
    *) "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' ;;
  esac
}

keyward_pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(keyward_java_major "$JAVA_HOME")
    if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then export JAVA_HOME; return 0; fi
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    [ -L "$d" ] && continue
    v=$(keyward_java_major "$d"); v=${v%%.*}
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  if [ -z "$best" ]; then
    echo "keyward: no JDK >= 21 found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

# keyward_ensure_packages PKG...: apt-get install the Debian packages that are missing (as root, or via sudo).
keyward_ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "keyward: missing packages ${missing[*]}; install them as root" >&2; return 1; fi
  fi
  echo "keyward: installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# keyward_ensure_maven: Maven from Debian when it is not on PATH.
keyward_ensure_maven() {
  command -v mvn >/dev/null 2>&1 || keyward_ensure_packages maven
}

# keyward_jar_stale JAR DIR...: true when JAR is missing or older than any file under the given dirs.
keyward_jar_stale() {
  local jar=$1; shift
  [ -f "$jar" ] || return 0
  [ -n "$(find "$@" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}
