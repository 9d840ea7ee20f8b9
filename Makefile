# vfssim — trace-driven simulator of the FreeBSD 4.x/5.0 VFS and buffer cache.
#
#   make          build ./vfssim (release: -O2, KASSERTs off)
#   make demo     replay a bundled real trace: summary, reports/demo.db, reports/demo-latency.png
#   make check    build with ASan+UBSan and INVARIANTS, run every unit and end-to-end test
#   make bench    replay a generated multi-million-call trace and a real one; print calls/s, peak RSS
#
# `make demo` and `make check` first make sure the Debian packages they need
# are installed (scripts/ensure-deps).

PKGS      := glib-2.0 sqlite3 zlib
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# The layers, bottom up (README "Layout"; scripts/check-layers checks that
# each includes only headers of its own layer and those below it).
LAYERS    := sim sim/trace sim/db sim/model sim/workloads sim/run sim/out sim/cmd
BASEFLAGS  = -std=gnu11 -D_GNU_SOURCE $(WARN) $(addprefix -I,$(LAYERS)) $(shell pkg-config --cflags $(PKGS))
LIBS       = $(shell pkg-config --libs $(PKGS)) -lm

SIM_SRCS  := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
SIM_HDRS  := $(foreach d,$(LAYERS),$(wildcard $(d)/*.h))
LIB_SRCS  := $(filter-out sim/cmd/main.c,$(SIM_SRCS))
TEST_SRCS := $(wildcard tests/test_*.c)

REL   := build/rel
DBG   := build/check
SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

REL_OBJS := $(patsubst %.c,$(REL)/%.o,$(SIM_SRCS))
DBG_LIB  := $(patsubst %.c,$(DBG)/%.o,$(LIB_SRCS))
DBG_MAIN := $(DBG)/sim/cmd/main.o
TESTS    := $(patsubst tests/%.c,$(DBG)/tests/%,$(TEST_SRCS))

.PHONY: all demo check unit e2e bench deps clean
.SECONDARY:
all: vfssim

vfssim: $(REL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(REL)/%.o: %.c $(SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASEFLAGS) -c -o $@ $<

# The test build: sanitizers, INVARIANTS (KASSERT on), no optimisation games.
DBGFLAGS   = -O1 -g $(SAN) -Werror -DINVARIANTS $(BASEFLAGS)
$(DBG)/%.o: %.c $(SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DBGFLAGS) -c -o $@ $<

# The tests also see their own headers (tests/testkern.h).
$(DBG)/tests/%.o: tests/%.c $(SIM_HDRS) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(DBGFLAGS) -Itests -c -o $@ $<

$(DBG)/vfssim: $(DBG_LIB) $(DBG_MAIN)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# Every unit test links the machine its tests boot (tests/testkern.c).
$(DBG)/tests/%: $(DBG)/tests/%.o $(DBG)/tests/testkern.o $(DBG_LIB)
	$(CC) $(SAN) -o $@ $^ $(LIBS) -lcmocka

deps:
	@scripts/ensure-deps

check: deps
	@scripts/check-layers
	@$(MAKE) --no-print-directory unit e2e

unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

# Every tests/e2e*.sh, each against the sanitizer build of vfssim.
e2e: $(DBG)/vfssim
	@set -e; for t in tests/e2e*.sh; do echo "== $$t"; VFSSIM=$(DBG)/vfssim $$t; done

demo: deps vfssim
	@mkdir -p reports
	@rm -f reports/demo.db reports/demo.db-wal reports/demo.db-shm
	./vfssim replay traces/d1-sqlite-journal.strace.gz --db reports/demo.db
	./vfssim plot reports/demo.db -o reports/demo-latency.png

$(REL)/bench_engine: tests/bench_engine.c $(REL)/sim/engine.o
	$(CC) $(CFLAGS) $(BASEFLAGS) -o $@ $^ $(LIBS)

bench: vfssim $(REL)/bench_engine
	@scripts/bench
	@$(REL)/bench_engine

clean:
	rm -rf build vfssim
