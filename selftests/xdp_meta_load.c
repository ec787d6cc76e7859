// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_meta_load DEV OBJ PROG PINDIR: load program PROG of the BPF object
 * OBJ bound to DEV (BPF_F_XDP_DEV_BOUND_ONLY), which is what lets the
 * kernel give it DEV's own answers to the XDP metadata kfuncs; pin its
 * maps in PINDIR (made if need be), each by its name, and attach it to
 * DEV in driver mode, in the caller's network namespace. The program
 * stays attached when this exits: "ip link set DEV xdp off" takes it
 * away. For vpair_xdp_meta.sh; neither ip(8) nor bookworm's bpftool can
 * load a program bound to a device without offloading it.
 *
 * Exit status: 0 attached, 1 any error (printed, with libbpf's own).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

/* <linux/bpf.h> of 6.3; the headers of an older release lack it. */
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY	(1U << 6)
#endif

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	char path[4096];
	unsigned int ifindex;
	int err;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DEV OBJ PROG PINDIR\n", argv[0]);
		return 1;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	obj = bpf_object__open_file(argv[2], NULL);
	err = libbpf_get_error(obj);
	if (err) {
		fprintf(stderr, "open %s: %s\n", argv[2], strerror(-err));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, argv[3]);
	if (!prog) {
		fprintf(stderr, "no program %s in %s\n", argv[3], argv[2]);
		return 1;
	}
	bpf_program__set_ifindex(prog, ifindex);
	bpf_program__set_flags(prog, bpf_program__flags(prog) |
				     BPF_F_XDP_DEV_BOUND_ONLY);

	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "load bound to %s: %s\n", argv[1],
			strerror(-err));
		return 1;
	}
	if (mkdir(argv[4], 0700) && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	/*
	 * Each map by its own path: bpf_object__pin_maps() would turn every
	 * '.' of PINDIR into '_' (mktemp's /tmp/vpair-selftest.XXXXXX).
	 */
	bpf_object__for_each_map(map, obj) {
		snprintf(path, sizeof(path), "%s/%s", argv[4],
			 bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err) {
			fprintf(stderr, "pin %s: %s\n", path, strerror(-err));
			return 1;
		}
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "attach to %s: %s\n", argv[1], strerror(-err));
		bpf_object__for_each_map(map, obj)
			bpf_map__unpin(map, NULL);
		return 1;
	}
	bpf_object__close(obj);
	return 0;
}
