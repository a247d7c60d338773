# ferry: `make demo` and `make test` work from a fresh Debian 12 machine (see README.md).
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_WERROR=ON
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build test unit integration demo install bench format clean

all: build

deps:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: unit tests first, then the black-box integration tests.
test: build
	cd $(BUILD) && ctest --output-on-failure -j 1

unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

integration: build
	cd $(BUILD) && ctest --output-on-failure -L integration

# The demo needs the binary alone: no tests, benchmarks or man pages are built for it.
demo: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target ferry
	scripts/demo.sh $(BUILD)/ferry

# The binary, its man pages and the bash, zsh and fish completions under DESTDIR/PREFIX.
install: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target ferry docs
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# Every benchmark runs even if one fails; the target fails if any did.
bench: build
	@scripts/setup.sh --bench
	bench/archive.sh $(BUILD)/ferry; a=$$?; bench/run.sh $(BUILD)/ferry; r=$$?; \
	    bench/gpu.sh $(BUILD)/ferry; g=$$?; bench/supervision.sh $(BUILD)/ferry; s=$$?; \
	    bench/memory.sh $(BUILD)/ferry; m=$$?; $(BUILD)/bench/plan_bench; p=$$?; \
	    [ $$a = 0 ] && [ $$r = 0 ] && [ $$g = 0 ] && [ $$s = 0 ] && [ $$m = 0 ] && [ $$p = 0 ]

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

clean:
	rm -rf $(BUILD)
