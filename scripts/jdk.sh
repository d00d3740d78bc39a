# shellcheck shell=bash
# Sourced by ./strata and the benchmark scripts: finds a JDK of 21 or newer (Helidon 4 needs it),
# looking at JAVA_HOME first, then every /usr/lib/jvm/* (newest first). After `use_jdk NAME`,
# JAVA_HOME and PATH name it; when there is none, NAME says what is missing and how to get it, and
# the script exits.

java_major() { # prints the major version of the java binary $1, or nothing
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  local d
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${d%/}"); done
  for d in "${candidates[@]}"; do
    if [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ]; then
      local major; major="$(java_major "$d/bin/java")"
      if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$d"; return 0; fi
    fi
  done
  return 1
}

use_jdk() { # $1: the script's name, for the message
  local jdk
  jdk="$(find_jdk)" || {
    echo "$1: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*)." >&2
    echo "        Install one, e.g.: sudo apt-get install openjdk-21-jdk-headless (or temurin-21-jdk), or set JAVA_HOME." >&2
    exit 1
  }
  export JAVA_HOME="$jdk"
  export PATH="$jdk/bin:$PATH"
}
