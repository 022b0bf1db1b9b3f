# Sourced (not run) from the project root by ./tfrnn and the bench scripts: the preflight checks
# they share and the one quiet Maven build. Functions only; nothing runs on sourcing.

# Prints one line naming what is missing and how to get it, then exits 2.
tfrnn_missing() {
  echo "${0##*/}: $*" >&2
  exit 2
}

# The java that both ./mvnw and the scripts use: JAVA_HOME's if set, else the one on PATH.
tfrnn_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# Java 17 or newer, and a JDK (javac) when the project must be compiled.
tfrnn_require_java17() {
  local java version major
  java="$(tfrnn_java)"
  local get="install a JDK 17 or newer (for example: apt-get install openjdk-17-jdk, brew install openjdk@17, or Temurin 17) and put it on PATH or set JAVA_HOME"
  command -v "$java" >/dev/null 2>&1 || tfrnn_missing "Java 17 or newer is needed, and no '$java' was found: $get"
  # First line: openjdk version "17.0.15" 2025-04-15, or java version "1.8.0_402" before Java 9.
  version="$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  major="${version%%[.+-]*}"
  [[ "$major" == 1 ]] && major="$(echo "$version" | cut -d. -f2)"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || (( major < 17 )); then
    tfrnn_missing "Java 17 or newer is needed, but $(command -v "$java") is Java ${version:-of unknown version}: $get"
  fi
  if [[ "${1:-}" == --jdk ]] && ! command -v "$(dirname "$(command -v "$java")")/javac" >/dev/null 2>&1 \
      && ! command -v javac >/dev/null 2>&1; then
    tfrnn_missing "a JDK is needed to build (javac was not found next to $(command -v "$java")): $get"
  fi
}

# Compiles src/main with the Maven Wrapper and writes target/runtime-classpath.txt. Maven prints
# only on failure (its quiet mode still emits stray terminal codes).
tfrnn_build() {
  local log
  log="$(mktemp)"
  # -DskipITs: no Python check; running the project needs no Python.
  if ! ./mvnw -q -B -DskipTests -DskipITs compile >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# The classpath of the compiled project: its classes and the runtime dependencies Maven listed.
tfrnn_classpath() {
  echo "target/classes:$(cat target/runtime-classpath.txt)"
}
