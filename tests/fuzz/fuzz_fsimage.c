/*
 * fuzz_fsimage.c — file-system images (--fs-image), loaded as a run loads
 * one (ffs_image_load) into a machine of the profile it was saved with
 * (FUZZ_IMAGE_SETS below; tests/fuzz/make-corpus saves the seeds so).
 *
 * The header's length and SHA-256 are made to match the payload first
 * (when the magic is there), so that the fuzzer reaches the structure
 * behind the checksum: every count, index and block address is checked
 * there, then fsck'd.  (tests/test_ffsimage.c damages headers and
 * checksums.)  The machine is booted once and again only after an image
 * loaded, for a load replaces an unused file system only.
 */
#include "fuzz.h"
#include "engine.h"
#include "ffs.h"
#include "kern.h"
#include "profile.h"

#include <string.h>

/* The machine the seeds were saved from. */
static const char *const FUZZ_IMAGE_SETS[] = {
	"machine.memory=16M", "ffs.size=8M", NULL
};

static struct profile *prof;
static struct sim *sim;
static struct kern *kern;

static void
boot(void)
{
	GError *err = NULL;

	if (kern != NULL) {
		sim_destroy(sim);
		kern_shutdown(kern);
	}
	sim = sim_create();
	kern = kern_boot(sim, prof, &err);
	if (kern == NULL)
		fuzz_fail("cannot boot: %s", err->message);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *const *s;
	GError *err = NULL;

	prof = profile_new();
	for (s = FUZZ_IMAGE_SETS; *s != NULL; s++)
		if (!profile_set(prof, *s, &err))
			fuzz_fail("%s", err->message);
	boot();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ffs_origin o;
	GError *err = NULL;
	guint8 *img = g_memdup2(data, size);

	fuzz_begin();
	if (size >= 64 && memcmp(img, "VFSSIMFS", 8) == 0) {
		GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
		guint64 plen = size - 64;
		gsize dlen = 32;
		int i;

		for (i = 0; i < 8; i++)
			img[16 + i] = (guint8)(plen >> (8 * i));
		g_checksum_update(sum, img + 64, (gssize)plen);
		g_checksum_get_digest(sum, img + 24, &dlen);
		g_checksum_free(sum);
	}
	if (ffs_image_load(kern, fuzz_file("i.img", img, size), &o, &err))
		boot();		/* loaded: the next one needs an unused fs */
	else
		g_clear_error(&err);
	g_free(img);
	return 0;
}
