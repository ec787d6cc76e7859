// SPDX-License-Identifier: GPL-2.0
/*
 * xsk_rx IFINDEX QUEUE XSKMAP_ID WANT SECONDS: a minimal AF_XDP receiver
 * for vpair_xdp_redirect.sh, on the bare socket API (no libxdp, no
 * libbpf). It binds one socket in copy mode (XDP_COPY) to rx queue QUEUE
 * of the device, puts it in the xskmap XSKMAP_ID at key QUEUE (where the
 * device's program redirects to), says "bound", then counts the frames
 * that arrive until WANT IPv4 echo requests have or SECONDS have passed,
 * and prints "frames N echo M". Exit 0 when M >= WANT, 1 otherwise.
 *
 * The UMEM is one ring's worth of 4 KB frames; each frame received goes
 * straight back to the fill ring.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/in.h>
#include <linux/ip.h>

#ifndef AF_XDP
#define AF_XDP		44
#endif
#ifndef SOL_XDP
#define SOL_XDP		283
#endif

#define NUM_FRAMES	64	/* also the size of every ring */
#define FRAME_SIZE	4096
#define ICMP_ECHO	8

struct ring {
	uint32_t *producer;
	uint32_t *consumer;
	void *desc;
};

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_put(uint32_t map_id, uint32_t key, uint32_t fd)
{
	union bpf_attr attr;
	int map_fd, ret;

	memset(&attr, 0, sizeof(attr));
	attr.map_id = map_id;
	map_fd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
	if (map_fd < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&fd;
	ret = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
	close(map_fd);
	return ret;
}

static void *ring_map(int fd, const struct xdp_ring_offset *off,
		      size_t desc_size, off_t pgoff, struct ring *r)
{
	void *map = mmap(NULL, off->desc + NUM_FRAMES * desc_size,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 fd, pgoff);

	if (map == MAP_FAILED)
		return NULL;
	r->producer = map + off->producer;
	r->consumer = map + off->consumer;
	r->desc = map + off->desc;
	return map;
}

static int is_echo_request(const unsigned char *p, uint32_t len)
{
	const struct ethhdr *eth = (const void *)p;
	const struct iphdr *iph = (const void *)(eth + 1);

	if (len < sizeof(*eth) + sizeof(*iph) + 1 ||
	    eth->h_proto != htons(ETH_P_IP) || iph->protocol != IPPROTO_ICMP)
		return 0;
	if (len < sizeof(*eth) + iph->ihl * 4 + 1)
		return 0;
	return p[sizeof(*eth) + iph->ihl * 4] == ICMP_ECHO;
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	struct xdp_umem_reg umem = {};
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp = {};
	uint32_t ifindex, queue, map_id, want;
	unsigned long frames = 0, echo = 0;
	socklen_t optlen = sizeof(off);
	int fd, size = NUM_FRAMES, i;
	struct ring fill, rx;
	time_t deadline;
	unsigned char *area;

	if (argc != 6) {
		fprintf(stderr, "usage: %s IFINDEX QUEUE XSKMAP_ID WANT SECONDS\n",
			argv[0]);
		return 2;
	}
	ifindex = strtoul(argv[1], NULL, 0);
	queue = strtoul(argv[2], NULL, 0);
	map_id = strtoul(argv[3], NULL, 0);
	want = strtoul(argv[4], NULL, 0);
	deadline = time(NULL) + strtoul(argv[5], NULL, 0);

	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return fail("socket(AF_XDP)");
	area = mmap(NULL, NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return fail("mmap umem");
	umem.addr = (uintptr_t)area;
	umem.len = NUM_FRAMES * FRAME_SIZE;
	umem.chunk_size = FRAME_SIZE;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &umem, sizeof(umem)))
		return fail("XDP_UMEM_REG");
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &size, sizeof(size)))
		return fail("ring sizes");
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return fail("XDP_MMAP_OFFSETS");
	if (!ring_map(fd, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING, &fill) ||
	    !ring_map(fd, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING, &rx))
		return fail("mmap rings");

	/* every frame to the kernel */
	for (i = 0; i < NUM_FRAMES; i++)
		((uint64_t *)fill.desc)[i] = (uint64_t)i * FRAME_SIZE;
	__atomic_store_n(fill.producer, NUM_FRAMES, __ATOMIC_RELEASE);

	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = queue;
	sxdp.sxdp_flags = XDP_COPY;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		return fail("bind XDP_COPY");
	if (map_put(map_id, queue, fd))
		return fail("xskmap update");
	printf("bound\n");
	fflush(stdout);

	while (echo < want && time(NULL) < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint32_t prod, cons, fprod;

		poll(&pfd, 1, 100);
		prod = __atomic_load_n(rx.producer, __ATOMIC_ACQUIRE);
		cons = *rx.consumer;
		fprod = *fill.producer;
		for (; cons != prod; cons++) {
			struct xdp_desc *d = (struct xdp_desc *)rx.desc +
					     (cons & (NUM_FRAMES - 1));

			frames++;
			echo += is_echo_request(area + d->addr, d->len);
			((uint64_t *)fill.desc)[fprod++ & (NUM_FRAMES - 1)] =
				d->addr & ~(uint64_t)(FRAME_SIZE - 1);
		}
		__atomic_store_n(rx.consumer, cons, __ATOMIC_RELEASE);
		__atomic_store_n(fill.producer, fprod, __ATOMIC_RELEASE);
	}

	printf("frames %lu echo %lu\n", frames, echo);
	return echo >= want ? 0 : 1;
}
