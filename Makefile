# Two commands for a newcomer: `make run` (set up, open the studio on the demo) and `make test`.
# Both are idempotent: the virtual environment is rebuilt only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: libopencv-dev, cmake, g++ and python3-dev to build pybgs (no wheel on PyPI), python3-venv for
# .venv; the rest lets Qt run offscreen or under Xvfb.
DEB_PKGS := libopencv-dev cmake g++ python3-dev python3-venv libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
            libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
            libxcb-shape0 libxcb-randr0 libxcb-xinerama0 xvfb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-quick lint setup system-deps bench clean-venv

run: setup
	$(BIN)/humanseg-studio --demo

# the tests in TEST_JOBS processes (pytest-xdist), one OpenMP thread each so that they do not fight over the
# cores: 3:30-4:40 on an idle 2-core machine (1950 tests, 7 Dec) against about 6 min in one process
TEST_JOBS ?= 2
TEST_ENV  := QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1

test: setup lint
	$(TEST_ENV) $(BIN)/python -m pytest -q -n $(TEST_JOBS)

# the fast tests only (no `slow` marker), after the linters
test-quick: setup lint
	$(TEST_ENV) $(BIN)/python -m pytest -q -n $(TEST_JOBS) -m "not slow"

# ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade), mypy on the core, the import layers
lint: setup
	$(BIN)/ruff check app humanseg_core tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/frames.py

setup: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

$(STAMP): pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project and its pinned dependencies into $(VENV) (the first time: a few GB, torch's"
	@echo "included, and several minutes; pip's own progress is hidden)..."
	$(BIN)/python -m pip install -q -e '.[dev]'
	@echo "Installed: the commands are in $(BIN)/ (source $(BIN)/activate puts humanseg and humanseg-studio on PATH)"
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)
