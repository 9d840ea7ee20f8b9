# vfssim — trace-driven simulator of the FreeBSD 4.x/5.0 VFS and buffer cache.
#
#   make          build ./vfssim (release: -O2, KASSERTs off, profile-guided; PGO=0 not)
#   make demo     replay a bundled real trace: summary, reports/demo.db, reports/demo-latency.png
#   make check    build with ASan+UBSan and INVARIANTS, run every unit and end-to-end test
#   make bench    replay a generated multi-million-call trace and a real one; print calls/s, peak RSS
#   make install  the binary, its profiles and drives, the man page, under PREFIX
#                 (default /usr/local; DESTDIR stages it); make uninstall
#   make fuzz     build the harnesses of tests/fuzz/ with clang and libFuzzer and run each
#                 for FUZZ_SECONDS (default 60)
#
# `make demo` and `make check` first make sure the Debian packages they need
# are installed (scripts/ensure-deps).

# `make` alone builds ./vfssim, whatever rule comes first below (the
# objects whose .d is missing are named in a rule before `all`'s: on a
# fresh clone `make` built build/rel/sim/engine.o and stopped).
.DEFAULT_GOAL := all

PKGS      := glib-2.0 sqlite3 zlib
# libcrypto (OpenSSL's, libssl-dev) hashes the trace for runs.trace_digest.
# It is loaded by its soname when a digest is made (sim/trace/trace.c),
# not linked: linked, loading it cost every command 0.8 ms of CPU.
CRYPTO_SONAME := $(shell objdump -p "$$(pkg-config --variable=libdir libcrypto)/libcrypto.so" 2>/dev/null | sed -n 's/^ *SONAME *//p')
CC        ?= cc
# Link-time optimization (two jobs, as the machine allows): calls across
# files -- sim_now, the drive's timers, the engine's queue -- inlined; the
# same results to the nanosecond (IEEE arithmetic is not reordered),
# 4-8 % less CPU on `vfssim disk` (README "Speed").
# Jumps kept off 32-byte boundaries, where the assembler can (GNU as on
# x86): with the microcode that works around Intel's JCC erratum (Skylake
# and its successors, 2019), a jump that crosses or ends on such a
# boundary is not kept in the decoded-instruction cache, and a hot loop's
# speed then depends on where the linker happens to put it -- the DEC
# RZ26 x15 ran 9 % slower after a change to an unrelated file.  Padded:
# RZ26 x15 85 -> 78 ms, C2247A 125 -> 116, Cheetah 9LP 114 -> 107,
# `hits` --no-events 668 -> 584 (least CPU of 5-9 in turn, README "Speed").
JCCFLAGS  := $(shell echo 'int x;' | $(CC) -Wa,-mbranches-within-32B-boundaries -x c -c - -o /dev/null 2>/dev/null && echo -Wa,-mbranches-within-32B-boundaries)
CFLAGS    ?= -O2 -g -flto=2 $(JCCFLAGS)
WARN      := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# The layers, bottom up (README "Layout"; scripts/check-layers checks that
# each includes only headers of its own layer and those below it).
LAYERS    := sim sim/trace sim/db sim/model sim/workloads sim/run sim/out sim/cmd
BASEFLAGS  = -std=gnu11 -D_GNU_SOURCE $(WARN) $(addprefix -I,$(LAYERS)) $(shell pkg-config --cflags $(PKGS) libcrypto) \
	     -DCRYPTO_SONAME='"$(or $(CRYPTO_SONAME),libcrypto.so.3)"'
# SQLite linked statically, from Debian's libsqlite3-dev (libsqlite3.a,
# the same release and build as its shared library): the shared one binds
# its own ~1,600 symbols at start-up (BIND_NOW, no -Bsymbolic), 1.1 M
# instructions of the dynamic loader's before main, two-thirds of
# `vfssim --version` (README "Speed").  Where there is no .a, the shared.
SQLITE_A  := $(wildcard $(shell pkg-config --variable=libdir sqlite3)/libsqlite3.a)
# GLib, the PCRE2 it needs and zlib likewise, each from its .a where the
# linker finds one (Debian's -dev packages ship them), else shared: the
# loader then maps two libraries fewer and binds none of their symbols,
# a run of one request 4.26 M -> 3.96 M instructions (README "Speed",
# "The drive alone").  The C library's own parts (libm, libdl, threads)
# stay shared, as a program linked with a shared libc must have them.
STATIC_OR_SHARED = $(foreach l,$(patsubst -l%,%,$(1)),$(if $(filter m dl rt pthread,$(l)),-l$(l),$(or $(filter /%,$(shell $(CC) -print-file-name=lib$(l).a)),-l$(l))))
GLIB_LIBS := $(call STATIC_OR_SHARED,$(shell pkg-config --static --libs-only-l glib-2.0 zlib)) \
	     $(shell pkg-config --static --libs-only-other glib-2.0 zlib)
LIBS       = $(GLIB_LIBS) $(or $(SQLITE_A),-lsqlite3) -lm -ldl

SIM_SRCS  := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
LIB_SRCS  := $(filter-out sim/cmd/main.c,$(SIM_SRCS))
TEST_SRCS := $(wildcard tests/test_*.c)

# The commit vfssim is built from, for --version and the runs table:
# only sim/version.c sees it, rebuilt when it changes (build/commit.stamp).
# A packager without git metadata may give it: make VFSSIM_COMMIT=...
VFSSIM_COMMIT ?= $(shell scripts/git-commit)
# Where make install puts things; the data directory (profiles, drives) is
# built into sim/cmd/cmd.c, searched after the current directory.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/vfssim
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/vfssim

REL   := build/rel

# Profile-guided optimization of the release build (GCC): the same
# objects built once with counters (build/pgo/root), that binary run over
# the bundled traces, drives and generators (scripts/pgo-train), and the
# release objects then compiled with the counts, so that the compiler
# lays out the hot paths, inlines and predicts branches as the runs went.
# The results are the same to the bit (no arithmetic is reordered:
# scripts/same-rows); the CPU 2-11 % less, held-out drives included
# (README "Speed").  Every branch not taken in training is compiled as
# without a profile (-fprofile-partial-training), not as cold.  Any
# source change trains again (two builds and a ~5 s training); PGO=0
# builds without it, as a compiler that lacks the options does.
PGO_OK    := $(shell echo 'int x;' | $(CC) -fprofile-use -fprofile-partial-training -fprofile-update=atomic -x c -c - -o /dev/null 2>/dev/null && echo 1)
PGO       ?= $(if $(PGO_OK),1,0)
PGO_DIR   := build/pgo
PGO_ROOT  := $(PGO_DIR)/root
PGO_OBJ   := $(PGO_ROOT)/$(REL)
PGO_GEN   := -fprofile-generate -fprofile-update=atomic
PGO_USE   := $(if $(filter 1,$(PGO)),-fprofile-use -fprofile-partial-training -Wno-missing-profile)
DBG   := build/check
SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Each object depends on the headers it includes, as the compiler lists
# them (-MMD -MP: a .d beside it, read here).  An object without its .d
# (built before this rule, or the .d lost) is rebuilt.
DEPFLAGS := -MMD -MP

# The image a new results database starts from (sim/db/dbimage.h): the
# schema run once here, by tools/mkdbimage, into a generated source that
# each build compiles as one of its own.
GEN       := build/gen
GEN_SRCS  := $(GEN)/dbimage_data.c

REL_OBJS := $(patsubst %.c,$(REL)/%.o,$(SIM_SRCS) $(GEN_SRCS))
PGO_OBJS := $(patsubst %.c,$(PGO_OBJ)/%.o,$(SIM_SRCS) $(GEN_SRCS))
DBG_LIB  := $(patsubst %.c,$(DBG)/%.o,$(LIB_SRCS) $(GEN_SRCS))
DBG_MAIN := $(DBG)/sim/cmd/main.o
TESTS    := $(patsubst tests/%.c,$(DBG)/tests/%,$(TEST_SRCS))
ALL_C    := $(SIM_SRCS) $(wildcard tests/*.c tests/fuzz/*.c)
ALL_DEPS := $(patsubst %.c,$(REL)/%.d,$(SIM_SRCS)) $(patsubst %.c,$(PGO_OBJ)/%.d,$(SIM_SRCS)) \
	    $(patsubst %.c,$(DBG)/%.d,$(ALL_C)) \
	    $(patsubst %.c,build/fuzz/%.d,$(ALL_C))
-include $(wildcard $(ALL_DEPS))
$(patsubst %.d,%.o,$(filter-out $(wildcard $(ALL_DEPS)),$(ALL_DEPS))): FORCE

.PHONY: all demo check unit e2e fuzz-corpus fuzz bench same-rows deps clean FORCE install uninstall
.SECONDARY:
all: vfssim

vfssim: $(REL_OBJS)
	$(CC) $(CFLAGS) $(PGO_USE) -o $@ $^ $(LIBS)

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PGO_USE) $(BASEFLAGS) $(DEPFLAGS) -c -o $@ $<

# The training.  GCC tells a file's static functions apart in its counts
# by the object's name as given (-o), so the counting build compiles each
# source as the release does -- `-o build/rel/X.o X.c` -- but from
# build/pgo/root, where sim/ and build/gen/ are links to the real ones:
# its objects are build/pgo/root/build/rel/X.o (compiled elsewhere, every
# static function's counts would be lost).  They write their counts
# beside themselves (X.gcda) when the training's runs exit; these are
# copied beside the release objects, where -fprofile-use looks.  (GCC's
# -Wmissing-profile is off: it names every small function the counting
# build inlined before counting, as the optimized one does too.  An
# object of data alone, sim/db/dbschema.c, has no counts.)
$(PGO_ROOT)/links.stamp:
	@mkdir -p $(PGO_ROOT)/build
	ln -sfn ../../../sim $(PGO_ROOT)/sim
	ln -sfn ../../../../$(GEN) $(PGO_ROOT)/$(GEN)
	@touch $@
$(PGO_OBJ)/%.o: %.c $(PGO_ROOT)/links.stamp
	@mkdir -p $(dir $@)
	cd $(PGO_ROOT) && $(CC) $(CFLAGS) $(PGO_GEN) $(BASEFLAGS) -MMD -MP \
	    -MT $@ -MF $(CURDIR)/$(@:.o=.d) -c -o $(REL)/$*.o $*.c
$(PGO_DIR)/vfssim: $(PGO_OBJS)
	cd $(PGO_ROOT) && $(CC) $(CFLAGS) $(PGO_GEN) -o $(CURDIR)/$@ \
	    $(patsubst $(PGO_ROOT)/%,%,$^) $(LIBS)
$(PGO_DIR)/trained.stamp: $(PGO_DIR)/vfssim scripts/pgo-train
	@find $(PGO_OBJ) $(REL) -name '*.gcda' -delete 2>/dev/null || true
	scripts/pgo-train $(PGO_DIR)/vfssim $(PGO_DIR)/work
	@set -e; cd $(PGO_OBJ) && find . -name '*.gcda' | while read -r g; do \
		mkdir -p "$(CURDIR)/$(REL)/$$(dirname "$$g")"; \
		cp "$$g" "$(CURDIR)/$(REL)/$$g"; done
	@[ -s $(REL)/sim/engine.gcda ] || { echo "$(PGO_DIR): the training left no counts" >&2; exit 1; }
	@touch $@
ifeq ($(PGO),1)
$(REL_OBJS): $(PGO_DIR)/trained.stamp
endif

build/commit.stamp: FORCE
	@mkdir -p build
	@echo '$(VFSSIM_COMMIT)' | cmp -s - $@ || echo '$(VFSSIM_COMMIT)' > $@
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
# The release objects are rebuilt when CFLAGS change (link-time
# optimization drops an assembler option the objects were not made with),
# and when the profile's use is switched (PGO=0 or 1; the counting
# build's objects then stay as they are).
build/cflags.stamp: FORCE
	@mkdir -p build
	@echo '$(CFLAGS)' | cmp -s - $@ || echo '$(CFLAGS)' > $@
build/pgouse.stamp: FORCE
	@mkdir -p build
	@echo '$(PGO_USE)' | cmp -s - $@ || echo '$(PGO_USE)' > $@
$(REL_OBJS) $(PGO_OBJS): build/cflags.stamp
$(REL_OBJS): build/pgouse.stamp
$(REL)/sim/version.o $(DBG)/sim/version.o: build/commit.stamp
$(REL)/sim/version.o $(DBG)/sim/version.o: private BASEFLAGS += -DVFSSIM_COMMIT='"$(VFSSIM_COMMIT)"'
$(REL)/sim/cmd/cmd.o $(DBG)/sim/cmd/cmd.o: build/datadir.stamp
$(REL)/sim/cmd/cmd.o $(DBG)/sim/cmd/cmd.o: private BASEFLAGS += -DVFSSIM_DATADIR='"$(DATADIR)"'
# The counting build names no commit and no data directory (the training
# runs from the tree), so that a commit, or a tree made dirty, rebuilds
# one release object and not the training: the strings differ, not the
# code the counts are of.
$(PGO_OBJ)/sim/version.o: private BASEFLAGS += -DVFSSIM_COMMIT='"training"'
$(PGO_OBJ)/sim/cmd/cmd.o: private BASEFLAGS += -DVFSSIM_DATADIR='"/nonexistent"'
FORCE:

$(GEN)/mkdbimage: tools/mkdbimage.c sim/db/dbschema.c sim/db/dbschema.h sim/db/dbimage.h sim/db/dbopen.h
	@mkdir -p $(dir $@)
	$(CC) -O1 $(BASEFLAGS) -o $@ tools/mkdbimage.c sim/db/dbschema.c $(LIBS)
$(GEN)/dbimage_data.c: $(GEN)/mkdbimage
	$(GEN)/mkdbimage $@.tmp && mv $@.tmp $@

# The test build: sanitizers, INVARIANTS (KASSERT on), no optimisation games.
DBGFLAGS   = -O1 -g $(SAN) -Werror -DINVARIANTS $(BASEFLAGS)
$(DBG)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(DBGFLAGS) $(DEPFLAGS) -c -o $@ $<

# The tests also see their own headers (tests/testkern.h).
$(DBG)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DBGFLAGS) $(DEPFLAGS) -Itests -c -o $@ $<

$(DBG)/vfssim: $(DBG_LIB) $(DBG_MAIN)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# Every unit test links the machine its tests boot (tests/testkern.c).
$(DBG)/tests/%: $(DBG)/tests/%.o $(DBG)/tests/testkern.o $(DBG_LIB)
	$(CC) $(SAN) -o $@ $^ $(LIBS) -lcmocka

deps:
	@scripts/ensure-deps

check: deps
	@scripts/check-layers
	@$(MAKE) --no-print-directory unit e2e fuzz-corpus

unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

# Every tests/e2e*.sh, each against the sanitizer build of vfssim.
e2e: $(DBG)/vfssim
	@set -e; for t in tests/e2e*.sh; do echo "== $$t"; VFSSIM=$(DBG)/vfssim $$t; done

# ---- fuzzing (tests/fuzz/) --------------------------------------------------
# One harness a parser or loader.  make check links each with a small driver
# (tests/fuzz/driver.c) under the sanitizer build and runs it once over its
# corpus; make fuzz links each with libFuzzer (clang) and fuzzes it for
# FUZZ_SECONDS, new inputs in build/fuzz/work/NAME, findings in
# build/fuzz/crash/ (keep each, once fixed, in tests/fuzz/corpus/NAME).
FUZZ_NAMES   := strace native profile boot diskspecs disktrace fsimage db fsmanifest diskerrors cache tbin
FUZZ_SECONDS ?= 60
CLANG        ?= clang
FUZZ         := build/fuzz
FUZZ_DRIVERS := $(addprefix $(DBG)/fuzz/fuzz_,$(FUZZ_NAMES))
FUZZ_BINS    := $(addprefix $(FUZZ)/fuzz_,$(FUZZ_NAMES))
FUZZ_LIB     := $(patsubst %.c,$(FUZZ)/%.o,$(LIB_SRCS) $(GEN_SRCS))
# libFuzzer's coverage everywhere; its main only in the harnesses' link.
FUZZFLAGS     = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -DINVARIANTS $(BASEFLAGS) \
		-Wno-missing-field-initializers -Wno-sign-compare

$(DBG)/fuzz/fuzz_%: $(DBG)/tests/fuzz/fuzz_%.o $(DBG)/tests/fuzz/fuzzlib.o \
		$(DBG)/tests/fuzz/driver.o $(DBG_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

fuzz-corpus: $(FUZZ_DRIVERS)
	@set -e; for n in $(FUZZ_NAMES); do echo "== tests/fuzz/corpus/$$n"; \
		$(DBG)/fuzz/fuzz_$$n tests/fuzz/corpus/$$n; done

$(FUZZ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZFLAGS) $(DEPFLAGS) -c -o $@ $<

$(FUZZ)/fuzz_%: $(FUZZ)/tests/fuzz/fuzz_%.o $(FUZZ)/tests/fuzz/fuzzlib.o $(FUZZ_LIB)
	$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

fuzz: $(FUZZ_BINS)
	@set -e; mkdir -p $(FUZZ)/crash; for n in $(FUZZ_NAMES); do \
		echo "== fuzz $$n for $(FUZZ_SECONDS) s"; mkdir -p $(FUZZ)/work/$$n; \
		dict=; [ -f tests/fuzz/$$n.dict ] && dict=-dict=tests/fuzz/$$n.dict; \
		$(FUZZ)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ)/crash/$$n- $$dict $(FUZZ)/work/$$n \
			tests/fuzz/corpus/$$n 2>$(FUZZ)/$$n.log || \
			{ tail -40 $(FUZZ)/$$n.log; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ)/$$n.log; \
	done

demo: deps vfssim
	@mkdir -p reports
	@rm -f reports/demo.db reports/demo.db-wal reports/demo.db-shm
	./vfssim replay traces/d1-sqlite-journal.strace.gz --db reports/demo.db
	./vfssim plot reports/demo.db -o reports/demo-latency.png

$(REL)/bench_engine: tests/bench_engine.c $(REL)/sim/engine.o
	$(CC) $(CFLAGS) $(BASEFLAGS) -o $@ $^ $(LIBS)

# Every goal of the README's "Speed" as a figure, measured in one run
# (scripts/bench: BENCH_ONLY, BENCH_REPEAT, BENCH_SCAN, VFSSIM).
bench: vfssim $(REL)/bench_engine
	@scripts/bench

# The same rows and output as BASE (a git revision) for every bundled
# trace, generator, drive, a compare, a snapshot and an aged file system:
# what every change meant to change no result must pass.
BASE ?= HEAD
same-rows:
	@scripts/same-rows $(BASE)

# ---- install ------------------------------------------------------------------
# INSTALL_BIN: the binary to install (the release build by default).
INSTALL_BIN ?= vfssim
DATA_FILES  := $(wildcard profiles/*.ini profiles/disks/*.ini) \
	       $(filter-out %.trace %.md,$(wildcard disks/*/*))
install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/vfssim
	install -m 644 man/vfssim.1 $(DESTDIR)$(MANDIR)/man1/vfssim.1
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	for f in $(DATA_FILES); do \
		install -d $(DESTDIR)$(DATADIR)/$$(dirname $$f) && \
		install -m 644 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfssim $(DESTDIR)$(MANDIR)/man1/vfssim.1
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build vfssim
