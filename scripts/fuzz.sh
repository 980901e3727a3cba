#!/usr/bin/env bash
# Coverage-guided fuzzing of the language core with libFuzzer (`swiftc -sanitize=fuzzer,address`).
#
#   scripts/fuzz.sh [SECONDS]     fuzz for SECONDS (default 600), optimised build (`make fuzz`)
#   scripts/fuzz.sh --short       45 s on a quick debug build (`make test`)
#
# The harness (Fuzz/Harness.swift) runs every input through lex, parse, check, compile,
# format (with a round-trip check), both evaluations (boxed lists and tables, which must
# agree) and `watt eval`'s expression path. It is built from Sources/WattSupport,
# Sources/WattLanguage and the demo vocabulary, outside SwiftPM, into .build/fuzz-<opt>/
# (rebuilt when a source changes). Seeds: every .watt file in the repository. A long run
# grows the corpus kept in .build/fuzz-corpus and minimises it at the end (libFuzzer's
# -merge); a short run starts from the seeds alone, so its length does not grow with it.
#
# Prints "fuzz: N executions in S s ..., corpus C inputs" and exits 0, or exits 1 on a
# crash, a sanitizer report, a broken oracle or an input running over 10 s; the input is
# kept under .build/fuzz-artifacts/ (replay: .build/fuzz-<opt>/watt-fuzz FILE). Each
# such input becomes a regression test (Tests/WattLanguageTests/Corpus or a focused test).
# Prints a SKIP line and exits 0 where the toolchain cannot build a fuzzer.
# Environment: FUZZ_SEED (libFuzzer -seed; default random, printed), FUZZ_WORKERS
# (parallel fuzzing processes, libFuzzer -fork; default 1), SWIFTC.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
opt=-O
short=0
case "${1:-}" in
  --short) seconds=${FUZZ_SHORT_SECONDS:-45}; opt=-Onone; short=1 ;;
  "") ;;
  *) seconds=$1 ;;
esac
SWIFTC=${SWIFTC:-swiftc}
seed=${FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
workers=${FUZZ_WORKERS:-1}
build=.build/fuzz${opt}
corpus=.build/fuzz-corpus
artifacts=.build/fuzz-artifacts
mkdir -p "$build" "$artifacts"
if [ $short = 1 ]; then corpus=$build/short-corpus; rm -rf "$corpus"; fi
mkdir -p "$corpus"
# Sanitizer and libFuzzer flags produce one linker warning per symbol; keep real errors.
quiet() { grep -v -e 'Cannot export local symbol' -e '^$' || true; }

# 1. Can this toolchain build a libFuzzer binary at all?
probe=$build/probe
if [ ! -x "$probe" ]; then
  printf '@_cdecl("LLVMFuzzerTestOneInput")\npublic func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }\n' > "$build/probe.swift"
  if ! "$SWIFTC" -sanitize=fuzzer,address -parse-as-library "$build/probe.swift" -o "$probe" >"$build/probe.log" 2>&1; then
    echo "SKIP  fuzz: $SWIFTC -sanitize=fuzzer,address does not work here (see $build/probe.log)"
    exit 0
  fi
fi

# 2. The harness, rebuilt when a source changes.
support_sources=$(find Sources/WattSupport -name '*.swift' | sort)
language_sources=$(find Sources/WattLanguage -name '*.swift' | sort)
harness_sources="Fuzz/Harness.swift Sources/WattDemoVocabulary/DemoVocabulary.swift"
stamp=$(cat $support_sources $language_sources $harness_sources scripts/fuzz.sh | sha256sum | cut -c1-16)
if [ "$(cat "$build/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -x "$build/watt-fuzz" ]; then
  echo "fuzz: building the harness ($opt, -sanitize=fuzzer,address)"
  # From a copy, so that editing a source during the (minutes long) build is harmless.
  rm -rf "$build/src" "$build/watt-fuzz"; mkdir -p "$build/src"
  for f in $support_sources $language_sources $harness_sources; do mkdir -p "$build/src/$(dirname "$f")"; cp "$f" "$build/src/$f"; done
  support_sources=$(printf "$build/src/%s " $support_sources)
  language_sources=$(printf "$build/src/%s " $language_sources)
  harness_sources=$(printf "$build/src/%s " $harness_sources)
  flags=("$opt" -sanitize=fuzzer,address -parse-as-library -I "$build")
  wmo=(-wmo -num-threads 2)
  "$SWIFTC" "${flags[@]}" "${wmo[@]}" -module-name WattSupport -emit-module -emit-module-path "$build/WattSupport.swiftmodule" \
    -emit-library -static -o "$build/libWattSupport.a" $support_sources 2>&1 | quiet
  "$SWIFTC" "${flags[@]}" "${wmo[@]}" -enable-testing -module-name WattLanguage -emit-module \
    -emit-module-path "$build/WattLanguage.swiftmodule" -emit-library -static -o "$build/libWattLanguage.a" $language_sources 2>&1 | quiet
  "$SWIFTC" "${flags[@]}" -module-name WattFuzz $harness_sources "$build/libWattLanguage.a" "$build/libWattSupport.a" \
    -o "$build/watt-fuzz" 2>&1 | quiet
  [ -x "$build/watt-fuzz" ] || { echo "FAIL  fuzz: the harness did not build"; exit 1; }
  echo "$stamp" > "$build/stamp"
fi

# 3. Seeds: every policy in the repository, flattened into one directory.
seeds=$build/seeds
rm -rf "$seeds"; mkdir -p "$seeds"
count=0
while IFS= read -r -d '' file; do
  count=$((count + 1))
  cp "$file" "$seeds/$(printf '%04d' $count)-$(basename "$file")"
done < <(find policies examples Tests Fuzz -name '*.watt' -print0 2>/dev/null)

# 4. Fuzz. The Swift runtime's own crash handler would race libFuzzer's; ASan's leak
#    check reports the demo vocabulary's globals, not findings.
log=$build/last-run.log
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=64:malloc_context_size=8:${ASAN_OPTIONS:-}
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=8192 -seed="$seed"
      -dict=Fuzz/watt.dict -artifact_prefix="$artifacts/" -print_final_stats=1)
[ "$workers" -gt 1 ] && args+=(-fork="$workers" -ignore_crashes=0)
echo "fuzz: $seconds s, seed $seed, $count seeds, corpus $corpus ($(ls "$corpus" | wc -l) inputs)"
set +e
"$build/watt-fuzz" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1
status=$?
set -e

executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
[ -n "$executions" ] || executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
elapsed=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "$seconds")
inputs=$(ls "$corpus" | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
if [ "$status" -ne 0 ]; then
  echo "FAIL  fuzz: libFuzzer stopped with status $status after ${executions:-?} executions (seed $seed)"
  grep -E 'ERROR|watt-fuzz:|Fatal error|SUMMARY|Test unit written|timeout|out-of-memory' "$log" | head -20
  echo "      full log: $log; replay: $build/watt-fuzz <artifact>; then add the input as a regression test"
  exit 1
fi
rate=$(( ${executions:-0} / (elapsed > 0 ? elapsed : 1) ))
echo "fuzz: ${executions:-0} executions in $elapsed s ($rate/s, $opt), corpus $inputs inputs ($bytes bytes), $coverage, seed $seed, no crash"
# The figures for docs/reliability.md (scripts/reliability-figures.py).
mkdir -p .build/reliability
printf '{"property": "fuzz", "test": "scripts/fuzz.sh (libFuzzer: lex, parse, check, compile, format, evaluate)", "figures": {"executions": %d, "seconds": %d, "corpus inputs": %d, "seed inputs": %d, "crashes": 0}}\n' \
  "${executions:-0}" "$elapsed" "$inputs" "$count" > .build/reliability/fuzz.json
if [ $short = 0 ]; then
  # Keep the smallest corpus with the same coverage for the next run.
  rm -rf "$corpus.min"; mkdir -p "$corpus.min"
  if "$build/watt-fuzz" -merge=1 -timeout=10 -rss_limit_mb=4096 -max_len=8192 "$corpus.min" "$corpus" >"$build/merge.log" 2>&1; then
    rm -rf "$corpus"; mv "$corpus.min" "$corpus"
    echo "fuzz: corpus minimised to $(ls "$corpus" | wc -l) inputs ($(du -sb "$corpus" | cut -f1) bytes)"
  else
    echo "FAIL  fuzz: minimising the corpus failed (see $build/merge.log)"; exit 1
  fi
fi
