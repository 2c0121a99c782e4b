# Thin wrapper over Meson/Ninja. `make run` and `make test` work on a fresh Debian 12.
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=
# 1: the build is profile-guided (scripts/pgo.sh trains it once, at setup); 0: a plain build
PGO        ?= 1

.PHONY: all deps build asan run test bench pgo pgo-fresh eval fuzz golden-update clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@meson setup $(BUILD) $(MESON_OPTS) >/dev/null
	@if [ "$(PGO)" = 1 ]; then scripts/pgo.sh $(BUILD); fi

$(ASAN_BUILD)/build.ninja:
	@meson setup $(ASAN_BUILD) -Dbuildtype=debug -Doptimization=1 -Db_sanitize=address,undefined \
		-Db_lundef=false $(MESON_OPTS) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) >/dev/null || ninja -C $(ASAN_BUILD)

# The main job on the bundled examples: explain one message, then scan them all.
run: build
	@echo "== spoofwatch check examples/display-name-spoof.eml"
	@$(BUILD)/spoofwatch check examples/display-name-spoof.eml
	@echo
	@echo "== spoofwatch check examples/logs/defender-emailevents.jsonl (the same from logs)"
	@$(BUILD)/spoofwatch check examples/logs/defender-emailevents.jsonl
	@echo
	@echo "== spoofwatch scan examples/ (one JSON record per message)"
	@$(BUILD)/spoofwatch scan --no-progress examples/
	@echo
	@echo "== spoofwatch ingest examples/ into $(BUILD)/examples.db (SQLite evidence store)"
	@# a new store each run: the demo shows exactly the examples, whatever an older build left
	@rm -f $(BUILD)/examples.db $(BUILD)/examples.db-wal $(BUILD)/examples.db-shm
	@$(BUILD)/spoofwatch ingest --no-progress --store $(BUILD)/examples.db examples/
	@echo
	@echo "== spoofwatch campaigns"
	@$(BUILD)/spoofwatch campaigns --store $(BUILD)/examples.db
	@echo
	@echo "== spoofwatch coverage"
	@$(BUILD)/spoofwatch coverage --store $(BUILD)/examples.db

test: build asan
	@tests/all.sh $(BUILD) $(ASAN_BUILD)

# Train the profile-guided build again (after changes to the hot paths).
pgo: deps $(BUILD)/build.ninja
	@scripts/pgo.sh $(BUILD)
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

# The bench measures a build trained on the sources it runs: train again when one is newer.
pgo-fresh: deps $(BUILD)/build.ninja
	@if [ "$(PGO)" = 1 ] && { [ ! -f $(BUILD)/pgo-trained ] || \
		[ -n "$$(find src include meson.build scripts/pgo.sh -newer $(BUILD)/pgo-trained -print -quit)" ]; }; then \
		scripts/pgo.sh $(BUILD); fi

bench: pgo-fresh build
	@bench/run.sh $(BUILD)

# Verdicts over the shared development corpus: rates per class, every miss and false positive.
# The second pass trusts the kernel lists' own Authentication-Results, as a subscriber
# would, so that every signal meets 1,000 authenticated legitimate messages.
eval: build
	@echo "== default configuration (trust the receiving organisation's headers)"
	@$(BUILD)/tests/eval $(if $(CONFIG),--config $(CONFIG)) $${SW_SHARED_DIR:-../shared}/corpus/dev
	@echo
	@echo "== ham read as a list subscriber (tests/eval/list-reader.yaml)"
	@$(BUILD)/tests/eval --config tests/eval/list-reader.yaml --only ham $${SW_SHARED_DIR:-../shared}/corpus/dev

# Coverage-guided fuzzing with libFuzzer (clang); `make test` only replays the corpora.
fuzz: deps
	@scripts/fuzz.sh

golden-update: build
	@tests/golden/run.sh $(BUILD) --update
	@sh tests/store/golden.sh $(BUILD) --update

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
