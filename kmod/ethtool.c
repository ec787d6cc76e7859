// SPDX-License-Identifier: GPL-2.0
/*
 * vpair: ethtool operations. ethtool -S shows the peer's ifindex (how a
 * user finds the other end from inside a namespace) and the drop reasons
 * that ip -s link folds into one column.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "vpair.h"

static const char vpair_stat_names[VPAIR_STAT_NUM][ETH_GSTRING_LEN] = {
	[VPAIR_STAT_TX_DROPPED_MTU]		= "tx_dropped_mtu",
	[VPAIR_STAT_TX_DROPPED_PEER_DOWN]	= "tx_dropped_peer_down",
	[VPAIR_STAT_TX_DROPPED_SHORT]		= "tx_dropped_short",
	[VPAIR_STAT_TX_DROPPED_RING_FULL]	= "tx_dropped_ring_full",
	[VPAIR_STAT_TX_RING_FULL]		= "tx_ring_full",
	[VPAIR_STAT_TX_BYPASS]			= "tx_bypass",
	[VPAIR_STAT_RX_HAIRPIN]			= "rx_hairpin",
	[VPAIR_STAT_TX_HAIRPIN_ARP]		= "tx_hairpin_arp",
};

static const char vpair_rq_stat_names[VPAIR_RQ_STAT_NUM][ETH_GSTRING_LEN] = {
	[VPAIR_RQ_XDP_PACKETS]		= "xdp_packets",
	[VPAIR_RQ_XDP_BYTES]		= "xdp_bytes",
	[VPAIR_RQ_XDP_DROPS]		= "xdp_drops",
	[VPAIR_RQ_XDP_ABORTED]		= "xdp_aborted",
	[VPAIR_RQ_XDP_TX]		= "xdp_tx",
	[VPAIR_RQ_XDP_TX_ERRORS]	= "xdp_tx_errors",
	[VPAIR_RQ_XDP_REDIRECT]		= "xdp_redirect",
	[VPAIR_RQ_DROPS]		= "drops",
	[VPAIR_RQ_PEER_XDP_XMIT]	= "xdp_xmit",
	[VPAIR_RQ_PEER_XDP_XMIT_ERRORS]	= "xdp_xmit_errors",
};

#define VPAIR_TQ_STAT_NUM	(VPAIR_RQ_STAT_NUM - VPAIR_RQ_RX_STATS)

/*
 * Page pool statistics in ethtool -S, where the kernel keeps them
 * (CONFIG_PAGE_POOL_STATS): the sum over the queues' pools, which exist
 * while NAPI runs.
 */
#ifdef CONFIG_PAGE_POOL_STATS
static inline int vpair_page_pool_stats_count(void)
{
	return page_pool_ethtool_stats_get_count();
}

static inline void vpair_page_pool_stats_strings(u8 **buf)
{
	*buf = page_pool_ethtool_stats_get_strings(*buf);
}

static inline void vpair_page_pool_stats_read(const struct vpair_priv *priv,
					      u64 *data)
{
	struct page_pool_stats stats = {};
	unsigned int i;

	for (i = 0; i < priv->napi_queues; i++)
		page_pool_get_stats(priv->rq[i].page_pool, &stats);
	page_pool_ethtool_stats_get(data, &stats);
}
#else
static inline int vpair_page_pool_stats_count(void)
{
	return 0;
}

static inline void vpair_page_pool_stats_strings(u8 **buf)
{
}

static inline void vpair_page_pool_stats_read(const struct vpair_priv *priv,
					      u64 *data)
{
}
#endif

static void vpair_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, VPAIR_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, VPAIR_VERSION, sizeof(info->version));
}

/* A software cable has no speed; report what veth does, so tools agree. */
static int vpair_get_link_ksettings(struct net_device *dev,
				    struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = SPEED_10000;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_TP;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

/*
 * peer_ifindex, the end's counters, per receive queue and per transmit
 * queue counters (as many queues as are in use), then the page pools'.
 */
static int vpair_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return 1 + VPAIR_STAT_NUM +
	       dev->real_num_rx_queues * VPAIR_RQ_RX_STATS +
	       dev->real_num_tx_queues * VPAIR_TQ_STAT_NUM +
	       vpair_page_pool_stats_count();
}

static void vpair_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i, q;

	if (sset != ETH_SS_STATS)
		return;

	ethtool_puts(&buf, "peer_ifindex");
	for (i = 0; i < VPAIR_STAT_NUM; i++)
		ethtool_puts(&buf, vpair_stat_names[i]);
	for (q = 0; q < dev->real_num_rx_queues; q++)
		for (i = 0; i < VPAIR_RQ_RX_STATS; i++)
			ethtool_sprintf(&buf, "rx_queue_%u_%s", q,
					vpair_rq_stat_names[i]);
	for (q = 0; q < dev->real_num_tx_queues; q++)
		for (i = VPAIR_RQ_RX_STATS; i < VPAIR_RQ_STAT_NUM; i++)
			ethtool_sprintf(&buf, "tx_queue_%u_%s", q,
					vpair_rq_stat_names[i]);
	vpair_page_pool_stats_strings(&buf);
}

/* @first..@last of queue @rq's counters, added to @data. */
static void vpair_rq_stats_read(const struct vpair_rq *rq, unsigned int first,
				unsigned int last, u64 *data)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&rq->stats.syncp);
		for (i = first; i < last; i++)
			data[i - first] = u64_stats_read(&rq->stats.cnt[i]);
	} while (u64_stats_fetch_retry(&rq->stats.syncp, start));
}

static void vpair_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *estats, u64 *data)
{
	struct vpair_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	unsigned int i, q;
	int cpu;

	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	data[0] = peer ? peer->ifindex : 0;
	rcu_read_unlock();

	memset(&data[1], 0, VPAIR_STAT_NUM * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct vpair_pcpu_stats *stats;
		u64 cnt[VPAIR_STAT_NUM];
		unsigned int start;

		stats = per_cpu_ptr(priv->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&stats->syncp);
			for (i = 0; i < VPAIR_STAT_NUM; i++)
				cnt[i] = u64_stats_read(&stats->cnt[i]);
		} while (u64_stats_fetch_retry(&stats->syncp, start));

		for (i = 0; i < VPAIR_STAT_NUM; i++)
			data[1 + i] += cnt[i];
	}
	data += 1 + VPAIR_STAT_NUM;

	for (q = 0; q < dev->real_num_rx_queues; q++) {
		vpair_rq_stats_read(&priv->rq[q], 0, VPAIR_RQ_RX_STATS, data);
		data += VPAIR_RQ_RX_STATS;
	}

	/* Our tx queue N's frames are counted in the peer's rx queue N. */
	rcu_read_lock();
	peer = vpair_peer_rcu(dev);
	for (q = 0; q < dev->real_num_tx_queues; q++) {
		memset(data, 0, VPAIR_TQ_STAT_NUM * sizeof(*data));
		if (peer && q < peer->num_rx_queues) {
			const struct vpair_priv *ppriv = netdev_priv(peer);

			vpair_rq_stats_read(&ppriv->rq[q], VPAIR_RQ_RX_STATS,
					    VPAIR_RQ_STAT_NUM, data);
		}
		data += VPAIR_TQ_STAT_NUM;
	}
	rcu_read_unlock();

	vpair_page_pool_stats_read(priv, data);
}

static void vpair_get_channels(struct net_device *dev,
			       struct ethtool_channels *ch)
{
	ch->max_rx = dev->num_rx_queues;
	ch->max_tx = dev->num_tx_queues;
	ch->rx_count = dev->real_num_rx_queues;
	ch->tx_count = dev->real_num_tx_queues;
}

/*
 * The core has checked the counts against get_channels' maxima. Combined
 * channels make no sense on a cable: both directions are independent.
 * With XDP on either end, the receiver's rx queues must cover the
 * sender's tx queues (vpair_xdp_check_channels()). NAPI, if it runs, is
 * stopped and started again over the new queues: what its rings held is
 * dropped, and a sender queue stopped on a full ring is woken.
 */
static int vpair_set_channels(struct net_device *dev,
			      struct ethtool_channels *ch)
{
	struct vpair_priv *priv = netdev_priv(dev);
	bool napi = priv->napi_queues;
	int err;

	if (ch->combined_count || !ch->rx_count || !ch->tx_count)
		return -EINVAL;
	err = vpair_xdp_check_channels(dev, ch->rx_count, ch->tx_count);
	if (err)
		return err;

	if (napi)
		vpair_napi_stop(dev);
	err = netif_set_real_num_queues(dev, ch->tx_count, ch->rx_count);
	if (napi)
		err = vpair_napi_start(dev) ?: err;
	return err;
}

const struct ethtool_ops vpair_ethtool_ops = {
	.get_drvinfo		= vpair_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vpair_get_link_ksettings,
	.get_sset_count		= vpair_get_sset_count,
	.get_strings		= vpair_get_strings,
	.get_ethtool_stats	= vpair_get_ethtool_stats,
	.get_channels		= vpair_get_channels,
	.set_channels		= vpair_set_channels,
	.get_ts_info		= ethtool_op_get_ts_info,
};
