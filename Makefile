# The two commands of the README, and a few helpers. Every target installs what it needs.
.PHONY: run test test-sanitize lint build format bench clean

BUILD_JOBS ?= $(shell nproc)
# Let ccache share results between checkouts in different folders.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

run: build
	mkdir -p var
	./build/marketlink serve --sandbox --listen 127.0.0.1:8080 --sim-listen 127.0.0.1:4566 --db sqlite:./var/marketlink.db

test:
	bash scripts/test.sh

# The tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer (./build-asan).
test-sanitize:
	bash scripts/test.sh asan

build:
	bash scripts/install-deps.sh
	cmake --preset default >/dev/null
	cmake --build build -j $(BUILD_JOBS)

lint:
	bash scripts/lint.sh

format:
	git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' | xargs clang-format -i

bench: build
	bash bench/load.sh

clean:
	rm -rf build

.PHONY: bench-pool
bench-pool: build
	bash bench/pool.sh

.PHONY: bench-pool-http
bench-pool-http: build
	bash bench/pool_http.sh

.PHONY: bench-saas
bench-saas: build
	bash bench/saas.sh
