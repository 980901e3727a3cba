# Watt: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing (scripts/install-deps.sh) before building.
SWIFT ?= swift
WATT := .build/debug/watt

.PHONY: run test deps build swift-test grammar-check units-oracle policy-check slurm-test prometheus-test fmt vocab bench bench-check bench-record bench-anchors clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The main job: the control loop over policies/ on the built-in simulated cluster for a
# week, beside a baseline without policies, and the report of the difference. Then a few
# evaluations that show the language, the forecasts and the embedding example.
run: build
	mkdir -p out
	$(WATT) run policies/ --cluster examples/clusters/demo.yaml --days 7 --svg out/report.svg --json out/report.json
	@echo "chart: out/report.svg, figures: out/report.json"
	$(WATT) check --cluster examples/clusters/demo.yaml policies/
	$(WATT) eval --cluster examples/clusters/demo.yaml 'count(jobs where gpus > 0)'
	$(WATT) eval --cluster examples/clusters/demo.yaml --file policies/carbon/carbon_aware.watt 'carbon_day_avg'
	$(WATT) eval --data examples/worlds/demo.json --file examples/evaluations/site.watt 'headroom'
	$(WATT) eval --data examples/worlds/demo.json 'sum(nodes, power ?? 0 kW) * 24 h * grid.carbon_intensity'
	$(WATT) eval --data examples/worlds/demo.json 'count(jobs where gpus > 0 and flexible)'
	.build/debug/watt-embedding-example
	$(WATT) forecast examples/data/grid/ger_ci_2020.csv --horizon 6h --holdout 7d

# The Swift tests run last so their summary closes the output.
test: deps
	rm -rf .build/reliability
	$(SWIFT) build --build-tests
	bash scripts/fuzz.sh --short
	$(MAKE) --no-print-directory grammar-check units-oracle policy-check slurm-test prometheus-test swift-test

swift-test:
	$(SWIFT) test --skip-build
	python3 scripts/reliability-figures.py

# Coverage-guided fuzzing of the language core with libFuzzer (lex, parse, check, compile,
# format, evaluate), 10 minutes by default (FUZZ_SECONDS=...); `make test` runs 45 s of it.
# A crash fails the run and leaves the input in .build/fuzz-artifacts/.
.PHONY: fuzz
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# `watt run --scheduler slurm` against a real single-node Slurm (started and stopped by the
# script; a SKIP line where it cannot be started, e.g. not root).
slurm-test:
	WATT=$(WATT) bash scripts/slurm-integration-test.sh

# `watt run --metrics-listen/--metrics-file` scraped by a real Prometheus server (Debian's
# package, installed by the script when missing; a SKIP line where it cannot be).
prometheus-test:
	WATT=$(WATT) bash scripts/prometheus-integration-test.sh

grammar-check:
	WATT_BIN=$(WATT) python3 grammar/crosscheck.py
	python3 scripts/check-core-deps.py

# Watt's unit arithmetic against Pint (docs/testing.md): 2,700 seeded random expressions
# through `watt repl`, compared at 1e-9 relative, and the hand-computed table in the corpus.
# Families named in UNITS_ORACLE_PENDING (none now) run and print their own counts as
# "pending" but do not fail the target.
UNITS_ORACLE_PENDING ?=
units-oracle:
	WATT=$(WATT) python3 scripts/units-oracle.py --pending "$(UNITS_ORACLE_PENDING)"

policy-check:
	$(WATT) check policies/
	$(WATT) check --cluster examples/clusters/demo.yaml policies/
	$(WATT) check examples/evaluations/
	$(WATT) check --cluster examples/clusters/demo.yaml examples/repl/
	$(WATT) fmt --check policies/ examples/
	$(WATT) test policies/ --coverage --threshold 100

fmt:
	$(WATT) fmt --write policies/ examples/

# docs/vocabulary.md is `watt vocab` (the energy vocabulary on the built-in demo cluster);
# VocabCommandTests fails when it is stale.
vocab: build
	$(WATT) vocab > docs/vocabulary.md

# Release-mode benchmarks (speed is measured here, never by timed assertions in tests):
# a table of median time, allocations and bytes per iteration, and targets (docs/performance.md).
# BENCH_FILTER=tick keeps the benchmarks whose name contains it.
BENCH_FILTER ?=
bench: deps
	$(SWIFT) run -c release watt-bench "$(BENCH_FILTER)"

# The suite against Benchmarks/baselines.json: fails on a benchmark slower than
# BENCH_TOLERANCE times its baseline (generous: two runs in a row on the shared 2-core VM
# differ by up to 2x, docs/performance.md), or with more than BENCH_ALLOC_TOLERANCE (a
# fraction) more allocations per iteration (nearly deterministic). Not part of `make test`.
BENCH_TOLERANCE ?= 3
BENCH_ALLOC_TOLERANCE ?= 0.25
bench-check: deps
	$(SWIFT) run -c release watt-bench "$(BENCH_FILTER)" --check Benchmarks/baselines.json \
		--tolerance $(BENCH_TOLERANCE) --alloc-tolerance $(BENCH_ALLOC_TOLERANCE)

# Records the baselines (results of benchmarks not run are kept, so a filtered run updates
# only its own).
bench-record: deps
	$(SWIFT) run -c release watt-bench "$(BENCH_FILTER)" --record Benchmarks/baselines.json

# Watt beside hand-written Swift, LuaJIT, Lua, CPython, Rego and CEL on one policy tick
# (docs/performance.md); installs the other engines once. Not part of `make test`.
bench-anchors: deps
	bash scripts/bench-anchors.sh

clean:
	rm -rf .build
