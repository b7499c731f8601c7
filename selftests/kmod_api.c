// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: /dev/ttrec, TTREC_IOC_GET_API and the size-versioned ioctl ABI.
 * Runs as root in the test VM with ttrec.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define TTREC_DEV	"/dev/" TTREC_DEVICE_NAME
#define ALL_FEATURES	(TTREC_FEATURE_ATTACH_PIDFD | TTREC_FEATURE_NETLINK | \
			 TTREC_FEATURE_SESSION_POLL | TTREC_FEATURE_SNAPSHOT | \
			 TTREC_FEATURE_SNAP_DIFF | TTREC_FEATURE_SNAP_SEEK | \
			 TTREC_FEATURE_VMA_KINDS | TTREC_FEATURE_SNAP_STATE)

/* GET_API with an explicit argument size (a newer or older header). */
#define GET_API_SIZED(size)	_IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC, \
				     _TTREC_GET_API, (size))
#define ATTACH_SIZED(size)	_IOC(_IOC_WRITE, TTREC_IOC_MAGIC, \
				     _TTREC_ATTACH, (size))

_Static_assert(sizeof(struct ttrec_api) == TTREC_API_SIZE_VER0, "api size");
_Static_assert(sizeof(struct ttrec_attach_args) == TTREC_ATTACH_ARGS_SIZE_VER0,
	       "attach size");
_Static_assert(sizeof(struct ttrec_session_info) ==
	       TTREC_SESSION_INFO_SIZE_VER1, "session info size");

/* A struct ttrec_api as a newer header might define it. */
struct api_big {
	struct ttrec_api api;
	uint64_t newer[2];
};

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s (is ttrec.ko loaded?)",
				      TTREC_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

static struct ttrec_api api_req(void)
{
	struct ttrec_api api;

	memset(&api, 0, sizeof(api));
	api.api = TTREC_API;
	return api;
}

TEST(device_node_is_root_only_0600)
{
	struct stat st;

	ASSERT_EQ(0, stat(TTREC_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(10, major(st.st_rdev));	/* a misc device */
}

TEST_F(dev, get_api_reports_version_features_and_ioctls)
{
	struct ttrec_api api = api_req();

	memset(&api.ioctls, 0xa5, sizeof(api.ioctls));	/* out-only fields */
	memset(&api.session_ioctls, 0xa5, sizeof(api.session_ioctls));
	ASSERT_EQ(0, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(TTREC_API, api.api);
	EXPECT_EQ(ALL_FEATURES, api.features);
	EXPECT_EQ((1ULL << _TTREC_GET_API) | (1ULL << _TTREC_ATTACH), api.ioctls);
	EXPECT_EQ((1ULL << _TTREC_SESSION_INFO) | (1ULL << _TTREC_SNAPSHOT),
		  api.session_ioctls);
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(0, api.__pad);
}

TEST_F(dev, get_api_accepts_supported_required_features)
{
	struct ttrec_api api = api_req();

	api.features = ALL_FEATURES;
	ASSERT_EQ(0, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(ALL_FEATURES, api.features);
}

TEST_F(dev, get_api_wrong_api_is_einval)
{
	uint64_t bad[] = { 0, TTREC_API + 1, ~0ULL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ttrec_api api = api_req();

		api.api = bad[i];
		EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(dev, get_api_unknown_feature_is_einval)
{
	struct ttrec_api api = api_req();

	api.features = TTREC_FEATURE_NETLINK | (1ULL << 63);
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(EINVAL, errno);

	api = api_req();
	api.features = ALL_FEATURES << 1 & ~ALL_FEATURES;
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, get_api_flags_is_einval)
{
	struct ttrec_api api = api_req();

	api.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(EINVAL, errno);
	api.flags = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, get_api_nonzero_pad_is_einval)
{
	struct ttrec_api api = api_req();

	api.__pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, get_api_short_size_is_einval)
{
	struct ttrec_api api = api_req();
	unsigned int sizes[] = { 0, 1, 8, 32, TTREC_API_SIZE_VER0 - 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, GET_API_SIZED(sizes[i]), &api));
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %u", sizes[i]);
	}
}

TEST_F(dev, get_api_bigger_struct_with_nonzero_tail_is_e2big)
{
	struct api_big big;

	memset(&big, 0, sizeof(big));
	big.api.api = TTREC_API;
	big.newer[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GET_API_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, get_api_bigger_struct_with_zero_tail_works)
{
	struct api_big big;
	static char huge[_IOC_SIZEMASK + 1];
	struct ttrec_api *h = (struct ttrec_api *)huge;

	memset(&big, 0, sizeof(big));
	big.api.api = TTREC_API;
	ASSERT_EQ(0, ioctl(self->fd, GET_API_SIZED(sizeof(big)), &big));
	EXPECT_EQ(TTREC_API, big.api.api);
	EXPECT_EQ(ALL_FEATURES, big.api.features);
	/* What the module does not know stays as the caller passed it. */
	EXPECT_EQ(0, big.newer[0]);
	EXPECT_EQ(0, big.newer[1]);

	/* The largest size an ioctl number can carry. */
	h->api = TTREC_API;
	ASSERT_EQ(0, ioctl(self->fd, GET_API_SIZED(_IOC_SIZEMASK), huge));
	EXPECT_EQ(ALL_FEATURES, h->features);
	huge[_IOC_SIZEMASK - 1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GET_API_SIZED(_IOC_SIZEMASK), huge));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, get_api_bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_GET_API,
			    (void *)0xffff888000000000ULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, attach_short_or_big_args_follow_size_rules)
{
	struct {
		struct ttrec_attach_args a;
		uint32_t newer[2];
	} big;

	memset(&big, 0, sizeof(big));
	EXPECT_EQ(-1, ioctl(self->fd, ATTACH_SIZED(4), &big));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, ATTACH_SIZED(0), &big));
	EXPECT_EQ(EINVAL, errno);
	big.newer[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, ATTACH_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
	/* Zero tail: the struct is read, pid 0 names no process. */
	big.newer[0] = 0;
	EXPECT_EQ(-1, ioctl(self->fd, ATTACH_SIZED(sizeof(big)), &big));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(dev, unknown_ioctl_on_device_is_enotty)
{
	struct ttrec_api api = api_req();
	char buf[64] = { 0 };

	/* Another magic, an unused number, a session-only ioctl. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('x', 0, struct ttrec_api), &api));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(TTREC_IOC_MAGIC, 0x02, struct ttrec_api), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(TTREC_IOC_MAGIC, 0xff), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TTREC_IOC_SESSION_INFO, buf));
	EXPECT_EQ(ENOTTY, errno);
	/* The right number with the wrong direction is another command. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(TTREC_IOC_MAGIC, _TTREC_GET_API, struct ttrec_api), &api));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(TTREC_IOC_MAGIC, _TTREC_GET_API, struct ttrec_api), &api));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(TTREC_IOC_MAGIC, _TTREC_ATTACH, struct ttrec_attach_args), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(TTREC_IOC_MAGIC, _TTREC_GET_API), buf));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
